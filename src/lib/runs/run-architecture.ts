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
