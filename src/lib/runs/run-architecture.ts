/**
 * Which architecture a run is compared with — the one rule ingest's cross-check and the site's run
 * pages share: the geometry the run carries (what its logs or run.json state), with every field
 * it leaves unknown (null) taken from its catalog preset; else the inline geometry alone; else the
 * preset's.
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { Run } from "../../schemas/run.ts";

/**
 * A catalog preset's architecture by id: `undefined` when the preset has none usable, `"missing"`
 * when there is no such preset.
 */
export type PresetArchitecture = (id: string) => Architecture | undefined | "missing";

/** `inline` over `preset`: the run's known fields win, its null (unknown) fields come from the preset. */
function mergeOver(preset: Architecture, inline: Architecture): Architecture {
  const merged: Record<string, unknown> = { ...preset };
  for (const [k, v] of Object.entries(inline)) if (v !== null) merged[k] = v;
  return merged as Architecture;
}

/** The architecture `run` is compared with, or why there is none. */
export function runArchitecture(
  model: Pick<Run["model"], "preset" | "architecture">,
  presetArchitecture: PresetArchitecture,
): Architecture | { error: string } {
  const preset = model.preset ? presetArchitecture(model.preset) : undefined;
  if (model.preset && preset === "missing") return { error: `model preset "${model.preset}" is not in the catalog` };
  const inline = model.architecture;
  if (inline && preset && preset !== "missing") return mergeOver(preset, inline);
  if (inline) return inline;
  if (preset && preset !== "missing") return preset;
  if (model.preset) return { error: `model preset "${model.preset}" has no usable architecture in data/models/` };
  return {
    error:
      "the model's architecture is unknown (no catalog preset, no inline architecture, and the log's GGUF keys are not enough)",
  };
}

/** Architectures seen by sharedArchitecture, by their JSON; bounded (a data dir of strangers' runs). */
const shared = new Map<string, Architecture>();
const SHARED_MAX = 4096;

/**
 * One object per distinct architecture value: the engine keeps a model's weights (its tensor
 * table, the costliest part of a breakdown) per architecture object (runtime-weights.ts), so runs
 * of the same model — a merged preset (runArchitecture) or a copy sent to a worker thread — share
 * that work instead of redoing it per run. The value is unchanged, so every figure is too.
 */
export function sharedArchitecture<T extends Architecture | { error: string }>(arch: T): T {
  if ("error" in arch) return arch;
  const key = JSON.stringify(arch);
  const seen = shared.get(key);
  if (seen) return seen as T;
  if (shared.size >= SHARED_MAX) shared.clear();
  shared.set(key, arch);
  return arch;
}
