/**
 * When the question does not fit: the cheapest single changes that make it fit, each as a state
 * patch (one click) and the llama.cpp flags that ask for it, with what it costs. Pure: the caller
 * passes `fits`, the engine's verdict for a whole state (the same check as the verdict's).
 *
 * Order: keep the model and the context first (experts on the CPU, GPU layers, then a smaller KV type), then smaller
 * weights, then a smaller context. Quality costs are quoted only where data/quants cites one;
 * speed is "unknown" (nothing measured here).
 */
import type { CalcState } from "./state.ts";

export interface Suggestion {
  key: "moe" | "ngl" | "kv" | "weights" | "ctx";
  /** "Fits with -ngl 41 (41 of 81 layers on the GPU)". */
  title: string;
  patch: Partial<CalcState>;
  /** llama.cpp flags for it. */
  command: string;
  cost: string;
}

export interface SuggestInput {
  state: CalcState;
  /** Most GPU layers that fit at this context (null = none, not even 0). */
  maxLayersFit: number | null;
  nLayers: number;
  /** Largest context with the current settings (null = none fits). */
  largestCtx: number | null;
  /** Weights come from a file's tensor table: the quant cannot change here. */
  exactWeights: boolean;
  /** Weight ftypes known to the catalog with their bits per weight. */
  ftypes: readonly { id: string; nominalBpw: number; typicalBpw: number | null }[];
  /** KV types with the engines that accept them and their cited quality notes. */
  kvTypes: readonly { name: string; bitsPerValue: number; engines: readonly string[]; quality: readonly string[] }[];
  fits: (s: CalcState) => boolean;
  /** It fits already with under 10 % to spare: `fits` and the searches ask for 10 % to spare. */
  tight?: boolean;
  /** MoE: the smallest --n-cpu-moe that fits, found by the fit solver (./suggest-moe.ts); first, it keeps every layer on the GPU. */
  cpuMoe?: Suggestion | null;
}

const goal = (i: SuggestInput): string => (i.tight ? "Leaves 10 % to spare" : "Fits");

/** Weight quants tried, best quality first (a smaller file each step). */
const WEIGHT_LADDER = [
  "Q6_K",
  "Q5_K_M",
  "Q4_K_M",
  "Q4_K_S",
  "IQ4_XS",
  "Q3_K_M",
  "Q3_K_S",
  "IQ3_XXS",
  "Q2_K",
  "IQ2_M",
  "IQ2_XS",
  "IQ2_XXS",
];
/** Symmetric KV types tried, best quality first. */
const KV_LADDER = ["q8_0", "q5_1", "q5_0", "q4_1", "q4_0"];

const int = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

function bpw(f: { nominalBpw: number; typicalBpw: number | null }): number {
  return f.typicalBpw ?? f.nominalBpw;
}

function gpuLayers(i: SuggestInput): Suggestion | null {
  const n = i.maxLayersFit;
  if (i.state.backend === "cpu" || n === null || n >= i.nLayers || n <= 0) return null;
  return {
    key: "ngl",
    title: `${goal(i)} with -ngl ${n} (${n} of ${i.nLayers} layers on the GPU, the rest in system RAM)`,
    patch: { nGpuLayers: n },
    command: `-ngl ${n}`,
    cost: "The layers left on the CPU run slower (speed: unknown, not measured here); they need system RAM.",
  };
}

function smallerKv(i: SuggestInput): Suggestion | null {
  const cur = i.kvTypes.find((t) => t.name === i.state.typeV)?.bitsPerValue ?? 16;
  for (const name of KV_LADDER) {
    const t = i.kvTypes.find((x) => x.name === name);
    if (!t || t.bitsPerValue >= cur || !t.engines.includes(i.state.engine)) continue;
    const patch: Partial<CalcState> = { typeK: t.name as CalcState["typeK"], typeV: t.name as CalcState["typeV"] };
    if (i.state.flashAttn === "off") patch.flashAttn = "on";
    if (!i.fits({ ...i.state, ...patch })) continue;
    return {
      key: "kv",
      title: `${goal(i)} with a ${name} K/V cache`,
      patch,
      command: `-ctk ${name} -ctv ${name} -fa on`,
      cost: t.quality.length ? `Quality (cited): ${t.quality.join("; ")}` : "Quality: no figure cited for this type.",
    };
  }
  return null;
}

function smallerWeights(i: SuggestInput): Suggestion | null {
  if (i.exactWeights) return null;
  const cur = i.ftypes.find((f) => f.id === i.state.ftype);
  if (!cur) return null;
  for (const id of WEIGHT_LADDER) {
    const f = i.ftypes.find((x) => x.id === id);
    if (!f || bpw(f) >= bpw(cur)) continue;
    if (!i.fits({ ...i.state, ftype: id })) continue;
    return {
      key: "weights",
      title: `${goal(i)} with ${id} weights (about ${bpw(f)} bits per weight instead of ${bpw(cur)})`,
      patch: { ftype: id },
      command: `a ${id} GGUF file`,
      cost: "A smaller quant loses quality; by how much depends on the model (not measured here). Speed: unknown.",
    };
  }
  return null;
}

function smallerContext(i: SuggestInput): Suggestion | null {
  const c = i.largestCtx;
  if (c === null || c >= i.state.ctx) return null;
  return {
    key: "ctx",
    title: `${goal(i)} at -c ${int(c)} (the largest context${i.tight ? " that does" : ""} with these settings)`,
    patch: { ctx: c },
    command: `-c ${c}`,
    cost: `Holds ${int(c)} tokens instead of ${int(i.state.ctx)}.`,
  };
}

/** Most GPU layers (0 … nLayers) for which `ok` holds, assuming fewer layers never hurt; null if none. */
export function mostLayers(ok: (ngl: number) => boolean, nLayers: number): number | null {
  if (ok(nLayers)) return nLayers;
  if (!ok(0)) return null;
  let lo = 0;
  let hi = nLayers;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ok(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Largest context below `ctx`, a multiple of 256 (llama.cpp's cell padding), for which `ok` holds; null if none. */
export function largestCtxBelow(ok: (ctx: number) => boolean, ctx: number): number | null {
  let lo = 0;
  let hi = Math.ceil(ctx / 256);
  if (hi <= 1 || !ok(256)) return null;
  lo = 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (ok(mid * 256)) lo = mid;
    else hi = mid;
  }
  return lo * 256;
}

/**
 * The suggestions that make the state fit, cheapest first; empty when nothing single does. For a
 * tight fit the caller passes `fits` = "fits with 10 % to spare" and the matching searches.
 */
export function suggest(i: SuggestInput): Suggestion[] {
  return [i.cpuMoe ?? null, gpuLayers(i), smallerKv(i), smallerWeights(i), smallerContext(i)].filter(
    (s): s is Suggestion => s !== null,
  );
}
