/**
 * node:test reporter that counts leaf tests (suites excluded) and appends the totals as one JSON
 * line to the file named by TEST_COUNTS_FILE, so the top-level runner can sum all suites.
 */
import { appendFileSync } from "node:fs";

interface TestEvent {
  type: string;
  data: { details?: { type?: string }; skip?: unknown; todo?: unknown; nesting?: number };
}

export default async function* countReporter(source: AsyncIterable<TestEvent>) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    const isSuite = event.data?.details?.type === "suite";
    if (isSuite) continue;
    if (event.type === "test:pass") {
      if (event.data.skip || event.data.todo) skipped++;
      else passed++;
    } else if (event.type === "test:fail") {
      failed++;
    }
  }
  const file = process.env.TEST_COUNTS_FILE;
  if (file) appendFileSync(file, JSON.stringify({ passed, failed, skipped }) + "\n");
  yield `counted ${passed} passed, ${failed} failed, ${skipped} skipped\n`;
}
