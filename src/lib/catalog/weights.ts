import type { Model, WeightVariant } from "../../schemas/model.ts";
import type { WeightFtype } from "../../schemas/quant.ts";

/**
 * Weight-size helpers over the catalog (pure). Listed variants keep their provenance (exact /
 * displayed); anything else is an estimate, params × typical whole-file bpw, and says so.
 */

/**
 * The weights ftype assumed for a model that marks no default variant and lists no file whose ftype
 * is known: Q4_K_M, the calculator's default and the quantization Ollama's default library tags
 * usually ship (qwen3:14b is listed here as Q4_K_M).
 */
export const FALLBACK_WEIGHTS_FTYPE = "Q4_K_M";

/** The weights a model is sized with when none are chosen: the calculator page and the CLI. */
export interface DefaultWeights {
  ftype: string;
  /** The listed variant the ftype comes from; null for the fallback. */
  variant: WeightVariant | null;
  /** How it was chosen, in words (the CLI prints it). */
  basis: string;
}

const variantName = (w: WeightVariant): string =>
  w.ollamaTag ? `Ollama tag ${w.ollamaTag}` : `${w.publisher ?? "listed"} file ${w.ftypeStated ?? w.ftype ?? w.id}`;

/**
 * The one definition of a preset's default weights, data-driven: the variant the preset marks
 * `default`, else the Ollama library's tag (no user namespace) when its ftype is known, else the
 * exactly measured published file, else FALLBACK_WEIGHTS_FTYPE. A variant whose ftype is unknown
 * cannot be sized by ftype and is passed over.
 */
export function defaultWeightVariant(model: Pick<Model, "weights">): DefaultWeights {
  const known = model.weights.filter((w): w is WeightVariant & { ftype: string } => w.ftype !== null);
  const marked = known.find((w) => w.default === true);
  if (marked) return { ftype: marked.ftype, variant: marked, basis: `${variantName(marked)}, marked as the default` };
  const ollama = known.find((w) => w.ollamaTag !== null && !w.ollamaTag.includes("/"));
  if (ollama) return { ftype: ollama.ftype, variant: ollama, basis: `the Ollama library's ${ollama.ollamaTag}` };
  const exact = known.find((w) => w.bytesKind === "exact");
  if (exact) return { ftype: exact.ftype, variant: exact, basis: `the published file ${variantName(exact)}` };
  return {
    ftype: FALLBACK_WEIGHTS_FTYPE,
    variant: null,
    basis: `no listed file with a known ftype: the calculator's default ${FALLBACK_WEIGHTS_FTYPE}`,
  };
}

/** Bits per weight used for an estimate: the typical whole-file bpw, else the nominal one. */
export function estimateBpw(f: WeightFtype): { bpw: number; basis: string } {
  if (f.typicalBpw !== null) return { bpw: f.typicalBpw, basis: `typical ${f.typicalBpwBasis}` };
  return { bpw: f.nominalBpw, basis: "nominal (no reference file)" };
}

/** params × bpw / 8, or null when the model's parameter count is unknown. */
export function estimateWeightBytes(model: Model, f: WeightFtype): number | null {
  const n = model.architecture.n_params ?? (model.params.totalB === null ? null : model.params.totalB * 1e9);
  if (n === null) return null;
  return Math.round((n * estimateBpw(f).bpw) / 8);
}

/**
 * The variants a picker offers: every listed variant of the model, then one estimated variant per
 * requested ftype that no listed variant already covers.
 */
export function weightOptions(
  model: Model,
  ftypes: readonly WeightFtype[],
  wanted: readonly string[] = ["Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16"],
): WeightVariant[] {
  const out: WeightVariant[] = [...model.weights];
  const covered = new Set(model.weights.map((w) => w.ftype).filter((x): x is string => x !== null));
  for (const id of wanted) {
    if (covered.has(id)) continue;
    const f = ftypes.find((x) => x.id === id);
    if (!f) throw new Error(`no weight ftype "${id}" in the catalog`);
    const bytes = estimateWeightBytes(model, f);
    if (bytes === null) continue;
    const { bpw, basis } = estimateBpw(f);
    out.push({
      id: `estimate-${id.toLowerCase()}`,
      ollamaTag: null,
      aliases: [],
      publisher: null,
      ftype: id,
      ftypeStated: null,
      bytes,
      bytesKind: "estimated",
      statedAs: null,
      includesVision: false,
      listingStatus: "unverified",
      source: `estimate: ${model.params.totalB ?? "?"} B params × ${bpw} bpw (${basis})`,
      notes:
        "Estimate, not a file: text weights only; real files mix tensor types per tensor (llama.cpp src/llama-quant.cpp).",
    });
  }
  return out;
}
