/**
 * A run as a report component needs it (Astro only): the run, the architecture it is compared
 * with, and the engine profile of its own build (the first one, when its build date is unknown).
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { EngineProfile } from "../../schemas/runtime-config.ts";
import type { Run } from "../../schemas/run.ts";
import { profilesFor } from "../../lib/runs/crosscheck.ts";
import { architectureOf, runsData } from "../runs/runs-data.ts";

export interface RunContext {
  run: Run;
  arch: Architecture | { error: string };
  profile: EngineProfile;
  modelName: string | null;
  /** Catalog name of the run's hardware preset, else its own description. */
  hardwareName: string | null;
}

export async function runContext(id: string): Promise<RunContext> {
  const data = await runsData();
  const run = data.runs.find((r) => r.id === id);
  if (!run) throw new Error(`report data: no run "${id}" in the data directory`);
  const arch = architectureOf(run, data.models);
  return {
    run,
    arch,
    profile: profilesFor(run)[0],
    modelName: run.model.preset ? (data.models.get(run.model.preset)?.name ?? null) : (run.model.name ?? null),
    hardwareName:
      (run.hardware.preset ? data.hardwareNames.get(run.hardware.preset) : undefined) ??
      run.hardware.gpu?.name ??
      run.hardware.description ??
      null,
  };
}
