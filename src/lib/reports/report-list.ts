/** Published reports in the order the site lists them: newest first, then by title. Pure. */
export interface ReportLike {
  id: string;
  data: { title: string; date: Date; draft: boolean };
}

export function publishedReports<T extends ReportLike>(reports: readonly T[]): T[] {
  return reports
    .filter((r) => !r.data.draft)
    .sort((a, b) => b.data.date.getTime() - a.data.date.getTime() || a.data.title.localeCompare(b.data.title));
}

/** `2026-11-26` for a date, in UTC (frontmatter dates are UTC midnights). */
export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}
