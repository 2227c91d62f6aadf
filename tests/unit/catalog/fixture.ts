import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";
export { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";

/** The repository's real data directory (read only in tests). */
export const DATA_DIR = join(REPO_ROOT, "data");

const CATALOG_DIRS = ["models", "quants", "hardware", "budgets"];

/** A temporary copy of the catalog part of data/ (the real data/ is never edited by tests). */
export function copyCatalog(): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), "catalog-test-"));
  const dir = join(root, "data");
  for (const d of CATALOG_DIRS) cpSync(join(DATA_DIR, d), join(dir, d), { recursive: true });
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, "utf8"));
}

/** Read a JSON file, let `edit` change it, write it back. */
export function editJson<T>(path: string, edit: (v: T) => void): void {
  const v = readJson(path) as T;
  edit(v);
  writeFileSync(path, JSON.stringify(v, null, 2));
}
