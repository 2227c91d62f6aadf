/**
 * The catalog as ingest reads it: model presets (their architecture) and hardware ids from the
 * data dir (else the repo's data/), and the architecture each run is compared with — the rule the
 * site's run pages use too (src/lib/runs/run-architecture.ts).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ArchitectureSchema, type Architecture } from "../../src/schemas/architecture.ts";
import type { Run } from "../../src/schemas/run.ts";
import { runArchitecture } from "../../src/lib/runs/run-architecture.ts";
import { REPO_ROOT } from "../lib/repo-root.ts";
import type { CatalogLookup } from "./build.ts";
import type { DataDir } from "./store.ts";

export type Catalog = CatalogLookup & { archOf: (run: Run) => Architecture | { error: string } };

export function catalogOf(dd: DataDir, modelsDir?: string): Catalog {
  const firstDir = (name: string) => [join(dd.root, name), join(REPO_ROOT, "data", name)].find((d) => existsSync(d));
  const mdir = modelsDir ?? firstDir("models");
  const hdir = firstDir("hardware");
  const cache = new Map<string, Architecture | "missing" | undefined>();
  let hardwareIds: Set<string> | undefined;
  const model = (id: string): Architecture | "missing" | undefined => {
    if (cache.has(id)) return cache.get(id);
    let result: Architecture | "missing" | undefined = "missing";
    const p = mdir && /^[a-z0-9][a-z0-9.-]*$/.test(id) ? join(mdir, `${id}.json`) : undefined;
    if (p && existsSync(p)) {
      try {
        const doc = JSON.parse(readFileSync(p, "utf8")) as Record<string, unknown>;
        const a = ArchitectureSchema.safeParse(doc.architecture ?? doc);
        result = a.success ? a.data : undefined;
      } catch {
        result = undefined;
      }
    }
    cache.set(id, result);
    return result;
  };
  const hardware = (id: string): boolean | undefined => {
    if (!hdir) return undefined;
    if (!hardwareIds) {
      hardwareIds = new Set();
      for (const f of readdirSync(hdir).filter((n) => n.endsWith(".json"))) {
        try {
          const doc = JSON.parse(readFileSync(join(hdir, f), "utf8")) as unknown;
          for (const h of Array.isArray(doc) ? doc : [])
            if (h && typeof h === "object" && typeof (h as { id?: unknown }).id === "string")
              hardwareIds.add((h as { id: string }).id);
        } catch {
          /* a broken catalog file is the catalog's test's business */
        }
      }
    }
    return hardwareIds.has(id);
  };
  const archOf = (run: Run) => runArchitecture(run.model, model);
  return { model, hardware, archOf };
}
