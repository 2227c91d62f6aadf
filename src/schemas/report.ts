import { z } from "zod";

/** Frontmatter of an MDX report in content/reports/. Run and model ids are checked by the site. */
export const ReportSchema = z.strictObject({
  title: z.string().min(1),
  description: z.string().min(1),
  date: z.coerce.date(),
  /** Ids of ingested runs (data/runs/<id>.json) the report rests on. */
  runs: z.array(z.string()).default([]),
  /** Ids of model presets (data/models/<id>.json) the report discusses. */
  models: z.array(z.string()).default([]),
  /**
   * Hardware and software versions the report's figures rest on, in words; a source may be linked
   * as `[text](/site/path/)` or `[text](https://…)` (src/lib/reports/inline-links.ts).
   */
  versions: z.array(z.string()).default([]),
  draft: z.boolean().default(false),
});
export type Report = z.infer<typeof ReportSchema>;
