/**
 * The calculator state's zod schema (`zod/mini`: the small build) and the permalink parser.
 * Loaded lazily with the engine; the build uses it too for the pages' presets.
 *
 * Parsing never throws: every query parameter is decoded and validated on its own; a bad one is
 * replaced by its default and named in a notice. Unknown parameters are reported the same way.
 */
import * as z from "zod/mini";
import {
  CALC_BACKENDS,
  CALC_ENGINES,
  CALC_KV_TYPES,
  CODECS,
  CTX_MAX,
  CTX_MIN,
  DEFAULT_STATE,
  ENGINE_REVISIONS,
  isLoadedModelId,
  PARAM_TO_KEY,
  type Key,
  type StateDomain,
} from "./state.ts";
import { gpuCatalog, parseMachine } from "./placement-machine.ts";
import type { LightCatalog } from "./catalog.ts";

/** What a permalink may name on a page, from the island's picker lists (the PC's GPUs included). */
export function domainOf(light: LightCatalog): StateDomain {
  return {
    models: new Set(light.models.map((m) => m.id)),
    hardware: new Set(light.hardware.map((h) => h.id)),
    budgets: new Map(light.budgets.map((b) => [b.id, b.items])),
    ftypes: new Set(light.ftypes.map((f) => f.id)),
    gpus: gpuCatalog(light.hardware),
  };
}

const int = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));
const id = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,119}$/));

export const CalcStateSchema = z.object({
  /** Catalog model id; `gguf` = a GGUF read in the browser; `custom` = edited architecture. */
  model: id,
  /** https URL of a GGUF whose header is read on load (permalinks of URL-loaded models). */
  ggufUrl: z.nullable(z.string().check(z.regex(/^https:\/\/\S+$/), z.maxLength(2000))),
  /** `m=hf`: the Hugging Face id (owner/name[@rev]) re-imported on load, and the GGUF file chosen in a GGUF repo. */
  hf: z.nullable(
    z.string().check(z.regex(/^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}(@[\w.-][\w./-]{0,127})?$/)),
  ),
  hfFile: z.nullable(z.string().check(z.regex(/^(?!.*\.\.)[\w][\w./ +()-]{0,254}\.gguf$/i))),
  /** Mirror bases: Hugging Face (HF_ENDPOINT's role) and the Ollama registry (for the CLI command). */
  hfBase: z.nullable(z.string().check(z.regex(/^https:\/\/[^\s/?#]+(\/[^\s?#]*)?$/), z.maxLength(500))),
  olBase: z.nullable(z.string().check(z.regex(/^https:\/\/[^\s/?#]+(\/[^\s?#]*)?$/), z.maxLength(500))),
  /** Custom architecture as JSON text (validated lazily by the engine's schema). */
  arch: z.nullable(z.string().check(z.maxLength(20000))),
  engine: z.enum(CALC_ENGINES),
  revision: z.string(),
  backend: z.enum(CALC_BACKENDS),
  /** Weights ftype in llama-quantize spelling (Q4_K_M). */
  ftype: z.string().check(z.regex(/^[A-Z0-9_]{2,16}$/)),
  /** Count the vision encoder (mmproj) weights. */
  vision: z.boolean(),
  /** https URL of an mmproj GGUF whose header is read on load (a local projector is not linked). */
  mmproj: z.nullable(z.string().check(z.regex(/^(https:\/\/\S+|preset)$/), z.maxLength(2000))),
  /** Images per request (their tokens take KV cells) and `--no-mmproj-offload` (false). */
  images: int(0, 64),
  mmprojOffload: z.boolean(),
  /** The largest image sent ("" = the largest the projector accepts) and --image-max-tokens (dynamic-resolution projectors). */
  imageSize: z.string().check(z.regex(/^(|[1-9]\d{0,4}x[1-9]\d{0,4})$/)),
  imageMaxTokens: z.nullable(int(1, 65536)),
  /** Draft model of speculative decoding (`-md`): a catalog id, "" = none; -ngld, -ctkd, -ctvd. */
  draft: z.union([z.literal(""), id]),
  ngld: int(-1, 4096),
  ctkd: z.enum(CALC_KV_TYPES),
  ctvd: z.enum(CALC_KV_TYPES),
  typeK: z.enum(CALC_KV_TYPES),
  typeV: z.enum(CALC_KV_TYPES),
  /** -np */
  nSeq: int(1, 256),
  /** -kvu */
  unified: z.boolean(),
  flashAttn: z.enum(["on", "off", "auto"]),
  nUbatch: int(1, 65536),
  swaFull: z.boolean(),
  /** -ngl; -1 = all layers. */
  nGpuLayers: int(-1, 4096),
  /** Context as the engine's own knob means it (-c total for llama.cpp, num_ctx per request for Ollama). */
  ctx: int(CTX_MIN, CTX_MAX),
  /** Hardware id; "" = none (the budget's stated total). */
  hardware: z.union([z.literal(""), id]),
  budget: id,
  /** Total memory override in bytes; null = the budget's / hardware's. */
  totalBytes: z.nullable(int(0, 2 ** 50)),
  /** Per budget item override in bytes (item index → bytes). */
  items: z.record(z.string().check(z.regex(/^\d{1,2}$/)), int(0, 2 ** 50)),
  /** `iogpu.wired_limit_mb` override in MiB; null = the default working-set limit. */
  wiredMiB: z.nullable(int(1024, 16 * 1024 * 1024)),
  /** Chart view. */
  view: z.enum(["total", "residual"]),
  /** "" = one device (as before); else a PC with GPUs, RAM, RPC servers and placement (./placement-machine.ts). */
  machine: z.string().check(z.maxLength(2000)),
});
export type CalcState = z.infer<typeof CalcStateSchema>;

export interface ParsedState {
  state: CalcState;
  /** One line per parameter that was ignored, naming it and what is accepted. */
  notices: string[];
}

function shown(raw: string): string {
  const t = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
  return JSON.stringify(t);
}

/**
 * Query string → state. Never throws. Each parameter is checked alone (syntax by the schema,
 * ids against the catalog); a bad one keeps its default and adds a notice. Cross-field rules:
 * the revision must belong to the engine; `m=gguf` needs `gguf=`, `m=custom` needs `arch=`.
 */
export function parseState(search: string, domain: StateDomain, defaults: CalcState = DEFAULT_STATE): ParsedState {
  const params = new URLSearchParams(search);
  const state: CalcState = { ...defaults, items: { ...defaults.items } };
  const notices: string[] = [];
  const seen = new Set<string>();
  for (const [param, raw] of params) {
    const key = PARAM_TO_KEY.get(param);
    if (!key) {
      notices.push(`Unknown parameter ${param}=${shown(raw)} was ignored.`);
      continue;
    }
    if (seen.has(param)) {
      notices.push(`Parameter ${param} was given more than once; the first value is used.`);
      continue;
    }
    seen.add(param);
    const codec = CODECS[key];
    const value = codec.decode(raw);
    const field = CalcStateSchema.shape[key];
    const r = value === undefined ? null : z.safeParse(field, value);
    let ok = r !== null && r.success;
    if (ok) {
      const v = r!.data as never;
      if (key === "model" && !isLoadedModelId(v) && !domain.models.has(v)) ok = false;
      if (key === "hardware" && v !== "" && !domain.hardware.has(v)) ok = false;
      if (key === "draft" && v !== "" && !domain.models.has(v)) ok = false;
      if (key === "budget" && !domain.budgets.has(v)) ok = false;
      if (key === "ftype" && !domain.ftypes.has(v)) ok = false;
      if (ok) (state as Record<Key, unknown>)[key] = v;
    }
    const pc =
      ok && key === "machine" && state.machine !== "" ? parseMachine(state.machine, domain.gpus ?? new Map()) : null;
    if (pc && !pc.ok) {
      state.machine = defaults.machine;
      notices.push(`Ignored ${param}=${shown(raw)}: ${pc.error}. Using the default machine.`);
    } else if (!ok) notices.push(`Ignored ${param}=${shown(raw)}: expected ${codec.expect}. Using the default.`);
  }
  // Cross-field rules.
  if (!ENGINE_REVISIONS[state.engine].includes(state.revision)) {
    const fallback = ENGINE_REVISIONS[state.engine][0];
    if (seen.has("rev"))
      notices.push(`Revision ${shown(state.revision)} does not exist for ${state.engine}; using ${fallback}.`);
    state.revision = fallback;
  }
  if (state.model === "gguf" && !state.ggufUrl && !state.arch) {
    notices.push("m=gguf needs a gguf=https://… URL (a local file cannot be linked); showing the default model.");
    state.model = defaults.model;
  }
  if (state.model === "hf" && !state.hf) {
    notices.push("m=hf needs an hf=owner/name parameter; showing the default model.");
    state.model = defaults.model;
  }
  if (state.model === "custom" && !state.arch) {
    notices.push("m=custom needs an arch= parameter; showing the default model.");
    state.model = defaults.model;
  }
  const nItems = domain.budgets.get(state.budget) ?? 0;
  for (const k of Object.keys(state.items)) {
    if (Number(k) >= nItems) {
      notices.push(`Budget item ${k} does not exist in budget ${state.budget}; its override was ignored.`);
      delete state.items[k];
    }
  }
  return { state, notices };
}
