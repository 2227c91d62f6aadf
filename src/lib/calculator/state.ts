/**
 * The calculator's whole state and its permalink form (the URL query).
 *
 * This module ships in the calculator's initial JS, so it holds no validator: the zod schema and
 * `parseState` live in ./state-schema.ts, loaded with the engine (a shared zod chunk would cost
 * ~15 KB gzip up front). For the same reason the KV type list comes from the zod-free src/lib/kv-types.ts.
 */
import type { CalcState } from "./state-schema.ts";
import { ENGINE_REVISIONS as REVISIONS, KV_TYPES } from "../kv-types.ts";
import { readTokens } from "../units.ts";
import type { GpuOption } from "./placement-machine.ts";

export type { CalcState };

/** `-ctk` / `-ctv` names: the one list of src/lib/kv-types.ts (zod-free, so it can ship up front). */
export const CALC_KV_TYPES = KV_TYPES;
export type CalcKvType = (typeof CALC_KV_TYPES)[number];

export const CALC_ENGINES = ["llama.cpp", "turboquant", "ollama"] as const;
export type CalcEngine = (typeof CALC_ENGINES)[number];

/** Revisions per engine (src/lib/kv-types.ts, which the runtime-config schema also uses), newest first. */
export const ENGINE_REVISIONS: Record<CalcEngine, readonly string[]> = REVISIONS;

export const CALC_BACKENDS = ["metal", "cuda", "cpu"] as const;
export type CalcBackend = (typeof CALC_BACKENDS)[number];

/** Smallest and largest context the state accepts (tokens). The slider starts at 512. */
export const CTX_MIN = 256;
export const CTX_MAX = 16 * 1024 * 1024;

/**
 * The default state: the original report's question (qwen3.5:27b at Q4_K_M, 32 GB Mac as
 * reported, the TurboQuant fork's llama-server on Metal with `-ctk q8_0 -ctv turbo4 -c 32768 -fa on`).
 * That command passes no `-np`, so llama-server's auto mode applies: 4 sequences, unified KV
 * (docs/memory-model.md#defaults) — which is what the default state models and its command spells out.
 */
export const DEFAULT_STATE: CalcState = {
  model: "qwen3.5-27b",
  ggufUrl: null,
  hf: null,
  hfFile: null,
  hfBase: null,
  olBase: null,
  arch: null,
  engine: "turboquant",
  revision: "2026-05",
  backend: "metal",
  ftype: "Q4_K_M",
  vision: false,
  mmproj: null,
  images: 1,
  mmprojOffload: true,
  imageSize: "",
  imageMaxTokens: null,
  draft: "",
  ngld: -1,
  ctkd: "f16",
  ctvd: "f16",
  typeK: "q8_0",
  typeV: "turbo4",
  nSeq: 4,
  unified: true,
  flashAttn: "on",
  nUbatch: 512,
  swaFull: false,
  nGpuLayers: -1,
  ctx: 32768,
  hardware: "",
  budget: "seed-32gb-mac-m4-max",
  totalBytes: null,
  items: {},
  wiredMiB: null,
  view: "total",
  machine: "",
};

export type Key = keyof CalcState;

/** Model ids that name a model loaded in the browser rather than a catalog preset. */
export const LOADED_MODEL_IDS = ["gguf", "custom", "hf"] as const;
export const isLoadedModelId = (id: string): boolean => (LOADED_MODEL_IDS as readonly string[]).includes(id);

/** How each field is written in the query: parameter name, decode from text, encode to text. */
interface Codec {
  param: string;
  decode: (s: string) => unknown;
  encode: (v: never) => string;
  /** Human description of what is accepted (for notices). */
  expect: string;
}

const num = (s: string): unknown => (/^-?\d+$/.test(s) ? Number(s) : s);
const bool = (s: string): unknown => (s === "1" || s === "true" ? true : s === "0" || s === "false" ? false : s);
const str = (s: string): unknown => s;
const nullable =
  (inner: (s: string) => unknown) =>
  (s: string): unknown =>
    s === "" ? null : inner(s);

/** `32k` / `128K` / `1M` / `32768` → tokens, or null: the one context syntax of units.ts. */
export const parseContext = readTokens;

function decodeItems(s: string): unknown {
  const out: Record<string, number> = {};
  if (s === "") return out;
  for (const part of s.split(",")) {
    const m = /^(\d{1,2}):(\d+)$/.exec(part);
    if (!m) return s;
    out[m[1]] = Number(m[2]);
  }
  return out;
}

export function encodeItems(v: Record<string, number>): string {
  return Object.keys(v)
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => `${k}:${v[k]}`)
    .join(",");
}

export const CODECS: Record<Key, Codec> = {
  model: { param: "m", decode: str, encode: (v: string) => v, expect: "a model id from the catalog" },
  ggufUrl: { param: "gguf", decode: nullable(str), encode: (v: string | null) => v ?? "", expect: "an https:// URL" },
  hf: {
    param: "hf",
    decode: nullable(str),
    encode: (v: string | null) => v ?? "",
    expect: "a Hugging Face id owner/name",
  },
  hfFile: {
    param: "file",
    decode: nullable(str),
    encode: (v: string | null) => v ?? "",
    expect: "a .gguf file of the repo",
  },
  hfBase: {
    param: "hfb",
    decode: nullable(str),
    encode: (v: string | null) => v ?? "",
    expect: "an https:// base URL",
  },
  olBase: {
    param: "olb",
    decode: nullable(str),
    encode: (v: string | null) => v ?? "",
    expect: "an https:// base URL",
  },
  arch: {
    param: "arch",
    decode: nullable(decodeArch),
    encode: (v: string | null) => encodeArch(v),
    expect: "an encoded architecture",
  },
  engine: { param: "eng", decode: str, encode: (v: string) => v, expect: CALC_ENGINES.join(" | ") },
  revision: { param: "rev", decode: str, encode: (v: string) => v, expect: "a revision of the engine" },
  backend: { param: "be", decode: str, encode: (v: string) => v, expect: CALC_BACKENDS.join(" | ") },
  ftype: { param: "w", decode: str, encode: (v: string) => v, expect: "a weights ftype such as Q4_K_M" },
  vision: { param: "vis", decode: bool, encode: (v: boolean) => (v ? "1" : "0"), expect: "1 or 0" },
  mmproj: {
    param: "mmproj",
    decode: nullable(str),
    encode: (v: string | null) => v ?? "",
    expect: "an https:// URL, or preset (the catalog's projector)",
  },
  images: { param: "img", decode: num, encode: (v: number) => String(v), expect: "0 … 64 images" },
  mmprojOffload: { param: "mmo", decode: bool, encode: (v: boolean) => (v ? "1" : "0"), expect: "1 or 0" },
  imageSize: { param: "imgs", decode: str, encode: (v: string) => v, expect: "WIDTHxHEIGHT in pixels, e.g. 1920x1080" },
  imageMaxTokens: {
    param: "imt",
    decode: nullable(num),
    encode: (v: number | null) => (v === null ? "" : String(v)),
    expect: "1 … 65536 tokens",
  },
  draft: { param: "md", decode: str, encode: (v: string) => v, expect: "a model id from the catalog" },
  ngld: { param: "ngld", decode: num, encode: (v: number) => String(v), expect: "-1 (all) … 4096" },
  ctkd: { param: "ctkd", decode: str, encode: (v: string) => v, expect: CALC_KV_TYPES.join(" | ") },
  ctvd: { param: "ctvd", decode: str, encode: (v: string) => v, expect: CALC_KV_TYPES.join(" | ") },
  typeK: { param: "ctk", decode: str, encode: (v: string) => v, expect: CALC_KV_TYPES.join(" | ") },
  typeV: { param: "ctv", decode: str, encode: (v: string) => v, expect: CALC_KV_TYPES.join(" | ") },
  nSeq: { param: "np", decode: num, encode: (v: number) => String(v), expect: "1 … 256" },
  unified: { param: "kvu", decode: bool, encode: (v: boolean) => (v ? "1" : "0"), expect: "1 or 0" },
  flashAttn: { param: "fa", decode: str, encode: (v: string) => v, expect: "on | off | auto" },
  nUbatch: { param: "ub", decode: num, encode: (v: number) => String(v), expect: "1 … 65536" },
  swaFull: { param: "swa", decode: bool, encode: (v: boolean) => (v ? "1" : "0"), expect: "1 or 0" },
  nGpuLayers: { param: "ngl", decode: num, encode: (v: number) => String(v), expect: "-1 (all) … 4096" },
  ctx: {
    param: "c",
    decode: (s) => parseContext(s) ?? s,
    encode: (v: number) => String(v),
    expect: `a context of ${CTX_MIN} … ${CTX_MAX} tokens (e.g. 32768 or 32k)`,
  },
  hardware: { param: "hw", decode: str, encode: (v: string) => v, expect: "a hardware id from the catalog" },
  budget: { param: "b", decode: str, encode: (v: string) => v, expect: "a budget id from the catalog" },
  totalBytes: {
    param: "tot",
    decode: nullable(num),
    encode: (v: number | null) => (v === null ? "" : String(v)),
    expect: "bytes",
  },
  items: { param: "oh", decode: decodeItems, encode: encodeItems, expect: "item:bytes pairs, e.g. 0:2500000000" },
  wiredMiB: {
    param: "wl",
    decode: nullable(num),
    encode: (v: number | null) => (v === null ? "" : String(v)),
    expect: "MiB (1024 … 16777216)",
  },
  view: { param: "v", decode: str, encode: (v: string) => v, expect: "total | residual" },
  machine: { param: "pc", decode: str, encode: (v: string) => v, expect: "a PC (g:GPUs;ram:MiB;…)" },
};

export const KEYS = Object.keys(CODECS) as Key[];
export const PARAM_TO_KEY = new Map(KEYS.map((k) => [CODECS[k].param, k]));

/** base64url of UTF-8 text (the architecture JSON), so it survives the query unescaped. */
export function encodeArch(json: string | null): string {
  if (json === null) return "";
  const bytes = new TextEncoder().encode(json);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function decodeArch(s: string): unknown {
  try {
    const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    JSON.parse(text);
    return text;
  } catch {
    return undefined;
  }
}

/** What the catalog knows, to reject ids that parse but do not exist. */
export interface StateDomain {
  models: ReadonlySet<string>;
  hardware: ReadonlySet<string>;
  budgets: ReadonlyMap<string, number>;
  ftypes: ReadonlySet<string>;
  /** GPUs of the hardware catalog (for `pc=`); none = sizes in MiB only. */
  gpus?: ReadonlyMap<string, GpuOption>;
}

/** State → query string (without `?`); only fields that differ from the defaults are written. */
export function stateToQuery(state: CalcState, defaults: CalcState = DEFAULT_STATE): string {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    const a = state[key];
    const b = defaults[key];
    const same =
      key === "items" ? encodeItems(a as Record<string, number>) === encodeItems(b as Record<string, number>) : a === b;
    if (same) continue;
    params.set(CODECS[key].param, (CODECS[key].encode as (v: unknown) => string)(a));
  }
  return params.toString();
}
