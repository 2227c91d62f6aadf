/**
 * Option definitions and parsing for `npm run calc`, on `node:util` `parseArgs`.
 *
 * Options are applied in command-line order (parseArgs tokens), so a later option overrides an
 * earlier one (`--kv q8_0 --ctk f16`, `--unified --no-unified`) as before. To add an option: add
 * it to OPTIONS and give it a handler in HANDLERS (or STRING_HANDLERS for a valued option).
 */
import { parseArgs as nodeParseArgs } from "node:util";
import type { ParseArgsOptionsConfig } from "node:util";
import { RuntimeConfigSchema } from "../../src/schemas/runtime-config.ts";
import { withServerOutputs } from "../../src/lib/engine/server-outputs.ts";
import type { RuntimeConfig, RuntimeConfigInput } from "../../src/schemas/runtime-config.ts";
import { KV_TYPES } from "../../src/schemas/kv-type.ts";
import { issueLines } from "../../src/lib/zod-issues.ts";
import type { BudgetPool } from "../../src/lib/engine/index.ts";
import { parseBytes, parseTokens, UnitError } from "../../src/lib/units.ts";
import type { PlacementInput } from "../../src/schemas/placement.ts";
import {
  normaliseAliases,
  parseDevices,
  parseOverrides,
  parseRpc,
  parseTensorSplit,
  PlacementUsageError,
} from "./placement-options.ts";

/** A usage error: exit 2, one line naming the option. */
export class UsageError extends Error {}

export interface Args {
  model: string | null;
  json: boolean;
  help: boolean;
  budget: number | null;
  /** `--hardware <machine>`: a catalog machine as the budget (./machine-budget.ts). */
  hardware: string | null;
  /** --weights-zero: answer --budget even when the weights are unknown (counted as 0 B). */
  weightsZero: boolean;
  pool: BudgetPool | null;
  config: RuntimeConfigInput;
  /** Set when any placement option was given (devices, split, overrides, load mode). */
  placement: PlacementInput | null;
  /** `--fit`: run the fit solver; margin (`--fit-target` MiB) and minimum context (`--fit-ctx`). */
  fit: { margin_mib: number; min_ctx: number } | null;
  /** Import settings for `hf:` / `ollama:` models (./import-model.ts). */
  ggufFile?: string;
  hfEndpoint?: string;
  ollamaRegistry?: string;
  /** -md / -ngld / -ctkd / -ctvd / --draft-max (./draft-output.ts). */
  draft?: { model: string | null; ngl: number | null; ctk: string | null; ctv: string | null; max: number | null };
  /** --mmproj / --images / --no-mmproj-offload (./vision-output.ts). */
  mmproj?: string;
  images?: number;
  noMmprojOffload?: boolean;
  /** --image-size WxH / --image-min-tokens / --image-max-tokens (dynamic-resolution projectors). */
  image?: { width: number; height: number; minTokens: number | null; maxTokens: number | null };
}

export const OPTIONS = {
  model: { type: "string" },
  ctx: { type: "string" },
  ctk: { type: "string" },
  ctv: { type: "string" },
  kv: { type: "string" },
  parallel: { type: "string" },
  fa: { type: "string" },
  ubatch: { type: "string" },
  batch: { type: "string" },
  ngl: { type: "string" },
  engine: { type: "string" },
  revision: { type: "string" },
  backend: { type: "string" },
  weights: { type: "string" },
  "weights-zero": { type: "boolean" },
  budget: { type: "string" },
  hardware: { type: "string" },
  pool: { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  unified: { type: "boolean" },
  "no-unified": { type: "boolean" },
  "swa-full": { type: "boolean" },
  "no-kv-offload": { type: "boolean" },
  devices: { type: "string" },
  rpc: { type: "string" },
  "host-memory": { type: "string" },
  "split-mode": { type: "string" },
  "tensor-split": { type: "string" },
  "main-gpu": { type: "string" },
  "override-tensor": { type: "string", multiple: true },
  "cpu-moe": { type: "boolean" },
  "n-cpu-moe": { type: "string" },
  "load-mode": { type: "string" },
  "no-mmap": { type: "boolean" },
  mlock: { type: "boolean" },
  fit: { type: "boolean" },
  "fit-target": { type: "string" },
  "fit-ctx": { type: "string" },
  "gguf-file": { type: "string" },
  "hf-endpoint": { type: "string" },
  "ollama-registry": { type: "string" },
  mmproj: { type: "string" },
  images: { type: "string" },
  "image-size": { type: "string" },
  "image-min-tokens": { type: "string" },
  "image-max-tokens": { type: "string" },
  "model-draft": { type: "string" },
  ngld: { type: "string" },
  ctkd: { type: "string" },
  ctvd: { type: "string" },
  "draft-max": { type: "string" },
  "no-mmproj-offload": { type: "boolean" },
} as const satisfies ParseArgsOptionsConfig;

/** Valued options restricted to a fixed set of spellings. */
const ENUMS: Record<string, readonly string[]> = {
  fa: ["on", "off", "auto"],
  engine: ["llama.cpp", "turboquant", "ollama"],
  backend: ["cuda", "metal", "cpu"],
  pool: ["device", "total", "host"],
  ctk: KV_TYPES,
  ctv: KV_TYPES,
  ctkd: KV_TYPES,
  ctvd: KV_TYPES,
  kv: KV_TYPES,
  "split-mode": ["none", "layer", "row"],
  "load-mode": ["mmap", "none", "mlock", "mmap+mlock"],
};

/** Parse state the handlers write to (engine and revision combine after all options). */
export interface ParseState {
  args: Args;
  config: Record<string, unknown>;
  engine: string | null;
  revision: string | null;
}

export function intArg(opt: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(v)) throw new UsageError(`${opt} "${v}": expected an integer`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`${opt} ${n}: expected ${min} … ${max}`);
  return n;
}

type FlagHandler = (s: ParseState) => void;
type ValueHandler = (s: ParseState, v: string, opt: string) => void;

const FLAG_HANDLERS: Record<string, FlagHandler> = {
  json: (s) => (s.args.json = true),
  help: (s) => (s.args.help = true),
  "weights-zero": (s) => (s.args.weightsZero = true),
  unified: (s) => (s.config.kv_unified = true),
  "no-unified": (s) => (s.config.kv_unified = false),
  "swa-full": (s) => (s.config.swa_full = true),
  "no-kv-offload": (s) => (s.config.no_kv_offload = true),
  "no-mmproj-offload": (s) => (s.args.noMmprojOffload = true),
  "cpu-moe": (s) => (place(s).cpu_moe = true),
  fit: (s) => (s.args.fit ??= { margin_mib: 1024, min_ctx: 4096 }),
  // older spellings of --load-mode none / mmap+mlock
  "no-mmap": (s) => (place(s).load_mode = "none"),
  mlock: (s) => (place(s).load_mode = place(s).load_mode === "none" ? "mlock" : "mmap+mlock"),
};

/** The placement input, created by the first placement option. */
function place(s: ParseState): PlacementInput & { devices: NonNullable<PlacementInput["devices"]> } {
  s.args.placement ??= { devices: [] };
  s.args.placement.devices ??= [];
  return s.args.placement as PlacementInput & { devices: NonNullable<PlacementInput["devices"]> };
}

/** The draft-model options, created by the first one. */
const draft = (s: ParseState): NonNullable<Args["draft"]> =>
  (s.args.draft ??= { model: null, ngl: null, ctk: null, ctv: null, max: null });
// 0×0 until --image-size: the largest image the projector accepts (vision-output.ts)
const image = (s: ParseState): NonNullable<Args["image"]> =>
  (s.args.image ??= { width: 0, height: 0, minTokens: null, maxTokens: null });

const VALUE_HANDLERS: Record<string, ValueHandler> = {
  model: (s, v) => (s.args.model = v),
  ctx: (s, v) => (s.config.n_ctx = parseTokens(v)),
  ctk: (s, v) => (s.config.type_k = v),
  ctv: (s, v) => (s.config.type_v = v),
  kv: (s, v) => {
    s.config.type_k = v;
    s.config.type_v = v;
  },
  parallel: (s, v, o) => (s.config.n_seq = intArg(o, v, 1, 256)),
  fa: (s, v) => (s.config.flash_attn = v),
  ubatch: (s, v, o) => (s.config.n_ubatch = intArg(o, v, 1)),
  batch: (s, v, o) => (s.config.n_batch = intArg(o, v, 1)),
  ngl: (s, v, o) => (s.config.n_gpu_layers = intArg(o, v, -1)),
  engine: (s, v) => (s.engine = v),
  revision: (s, v) => (s.revision = v),
  backend: (s, v) => (s.config.backend = v),
  weights: (s, v) => (s.config.weights_ftype = v),
  budget: (s, v) => (s.args.budget = parseBytes(v)),
  hardware: (s, v) => (s.args.hardware = v),
  pool: (s, v) => (s.args.pool = v as BudgetPool),
  devices: (s, v) => place(s).devices.push(...parseDevices(v)),
  rpc: (s, v) => place(s).devices.push(...parseRpc(v)),
  "host-memory": (s, v) => (place(s).host_bytes = parseBytes(v)),
  "split-mode": (s, v) => (place(s).split_mode = v as "none" | "layer" | "row"),
  "tensor-split": (s, v) => (place(s).tensor_split = parseTensorSplit(v)),
  "main-gpu": (s, v, o) => (place(s).main_gpu = intArg(o, v, 0, 15)),
  "override-tensor": (s, v) => {
    const p = place(s);
    p.overrides = [...(p.overrides ?? []), ...parseOverrides(v)];
  },
  "n-cpu-moe": (s, v, o) => (place(s).n_cpu_moe = intArg(o, v, 0, 4096)),
  "fit-target": (s, v, o) =>
    ((s.args.fit ??= { margin_mib: 1024, min_ctx: 4096 }).margin_mib = intArg(o, v, 0, 1 << 20)),
  "fit-ctx": (s, v, o) => ((s.args.fit ??= { margin_mib: 1024, min_ctx: 4096 }).min_ctx = intArg(o, v, 256, 1 << 24)),
  "load-mode": (s, v) => (place(s).load_mode = v as "mmap" | "none" | "mlock" | "mmap+mlock"),
  "gguf-file": (s, v) => (s.args.ggufFile = v),
  "hf-endpoint": (s, v) => (s.args.hfEndpoint = v),
  "ollama-registry": (s, v) => (s.args.ollamaRegistry = v),
  mmproj: (s, v) => (s.args.mmproj = v),
  "model-draft": (s, v) => (draft(s).model = v),
  ngld: (s, v, o) => (draft(s).ngl = intArg(o, v, -1)),
  ctkd: (s, v) => (draft(s).ctk = v),
  ctvd: (s, v) => (draft(s).ctv = v),
  "draft-max": (s, v, o) => (draft(s).max = intArg(o, v, 0, 1024)),
  images: (s, v, o) => (s.args.images = intArg(o, v, 0, 1024)),
  "image-size": (s, v, o) => {
    const m = /^(\d{1,5})x(\d{1,5})$/i.exec(v);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1)
      throw new UsageError(`${o} "${v}": expected WIDTHxHEIGHT in pixels (e.g. 1920x1080)`);
    Object.assign(image(s), { width: Number(m[1]), height: Number(m[2]) });
  },
  "image-min-tokens": (s, v, o) => (image(s).minTokens = intArg(o, v, 1, 1 << 20)),
  "image-max-tokens": (s, v, o) => (image(s).maxTokens = intArg(o, v, 1, 1 << 20)),
};

/**
 * parseArgs refuses a value that starts with "-" after a space (`--ngl -1`): join such a value to
 * its option with "=" when it is a negative number, so `--ngl -1` keeps working.
 */
function joinNegativeValues(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.startsWith("--") ? a.slice(2) : null;
    const def = name !== null ? (OPTIONS as ParseArgsOptionsConfig)[name] : undefined;
    const next = argv[i + 1];
    if (def?.type === "string" && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** node:util's parse errors, reworded to one line naming the option as before. */
function usageFromNode(e: unknown): UsageError {
  const err = e as { code?: string; message?: string };
  const msg = err.message ?? String(e);
  const opt = /'(-[^' ]+)/.exec(msg)?.[1] ?? "";
  switch (err.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return new UsageError(`unknown option "${opt}" (see --help)`);
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return new UsageError(`unexpected argument "${/'([^']*)'/.exec(msg)?.[1] ?? ""}" (see --help)`);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      return new UsageError(/does not take an argument/.test(msg) ? `${opt} takes no value` : `${opt} needs a value`);
    default:
      return new UsageError(msg.split("\n")[0]);
  }
}

/** Parse the calc command line; throws UsageError (exit 2) with one line naming the option. */
export function parseCalcArgs(argv: readonly string[]): Args {
  const args: Args = {
    model: null,
    json: false,
    help: false,
    budget: null,
    hardware: null,
    weightsZero: false,
    pool: null,
    config: {},
    placement: null,
    fit: null,
  };
  const s: ParseState = { args, config: args.config as Record<string, unknown>, engine: null, revision: null };
  let tokens;
  try {
    ({ tokens } = nodeParseArgs({
      args: joinNegativeValues(normaliseAliases(argv)),
      options: OPTIONS,
      strict: true,
      allowPositionals: false,
      tokens: true,
    }));
  } catch (e) {
    throw usageFromNode(e);
  }
  for (const t of tokens) {
    if (t.kind !== "option") continue;
    const opt = t.rawName.startsWith("--") ? `--${t.name}` : t.rawName;
    if (t.value === undefined) {
      FLAG_HANDLERS[t.name](s);
      continue;
    }
    const allowed = ENUMS[t.name];
    if (allowed && !allowed.includes(t.value))
      throw new UsageError(`${opt} "${t.value}": expected one of ${allowed.join(", ")}`);
    try {
      VALUE_HANDLERS[t.name](s, t.value, opt);
    } catch (e) {
      if (e instanceof UnitError) throw new UsageError(`${opt}: ${e.message}`);
      if (e instanceof PlacementUsageError) throw new UsageError(e.message);
      throw e;
    }
  }
  if (s.engine !== null || s.revision !== null) {
    const name = s.engine ?? "llama.cpp";
    s.config.engine = s.revision === null ? { name } : { name, revision: s.revision };
  }
  return args;
}

/** Validate the runtime config the options built; a schema refusal is a usage error. */
export function toConfig(input: RuntimeConfigInput): RuntimeConfig {
  const r = RuntimeConfigSchema.safeParse(input);
  if (!r.success) {
    const first = r.error.issues[0].path[0];
    const where = first === "engine" ? "--engine/--revision" : undefined;
    throw new UsageError(issueLines(r.error.issues, { input, where, max: 1 })[0]);
  }
  // llama-server (and llama-cli, which runs it in-process) reserves its graphs for n_parallel
  // outputs (docs/memory-model.md#server-outputs)
  return withServerOutputs(r.data);
}
