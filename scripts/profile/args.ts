/**
 * Command line of `npm run profile`. Pure: argv in, options or a UsageError (exit 2) out.
 * Every message names the option and what was expected.
 */
import { parseArgs } from "node:util";
import { KV_TYPES, isTurboType, type KvType } from "../../src/schemas/kv-type.ts";
import type { FlashAttn } from "../../src/schemas/runtime-config.ts";
import { UnitError, parseTokens } from "../../src/lib/units.ts";

export class UsageError extends Error {}

export interface KvPair {
  k: KvType;
  v: KvType;
}

/** How deep each sequence is filled: a token count, a share of the per-sequence context, or the default. */
export type FillSpec = { kind: "default" } | { kind: "tokens"; tokens: number } | { kind: "ratio"; ratio: number };

export type GpuChoice = "auto" | "cuda" | "vulkan" | "metal" | "off";

export interface ProfileOptions {
  model: string;
  /** Requested n_ctx values (llama.cpp `-c`: total over all sequences), ascending, unique. */
  contexts: number[];
  kv: KvPair[];
  server: string | null;
  /** Extra arguments for llama-server, appended verbatim. */
  serverArgs: string[];
  out: string | null;
  fa: FlashAttn;
  /** n_seq_max (`-np`). */
  parallel: number;
  /** n_ubatch (`-ub`). */
  ubatch: number;
  fill: FillSpec;
  /** Tokens generated (single-token decode steps) after the fill. */
  gen: number;
  threads: number | null;
  gpu: GpuChoice;
  force: boolean;
  dryRun: boolean;
  /** Seconds to wait for llama-server to exit after SIGTERM before SIGKILL. */
  stopTimeout: number;
  /** run.json title and notes (what the files cannot say, e.g. "zero weights"). */
  title: string | null;
  notes: string | null;
}

export const DEFAULT_CONTEXTS = "2k,8k,32k";
export const DEFAULT_KV = "f16";
/** Tokens left free by the default fill (H100 run: fill n_ctx − 64, then generate 16). */
export const DEFAULT_FILL_GAP = 64;
export const DEFAULT_GEN = 16;

export const USAGE = `Usage: npm run profile -- --model <file.gguf> [options]

Profiles a GGUF model with real llama.cpp allocations at each context length and KV cache type,
and writes a run folder that \`npm run ingest\` takes as is.

Options
  --model <path>        GGUF model file (required)
  --ctx <list>          requested contexts, llama.cpp -c (total over sequences): 2k,8k,32k
                        (k = ×1024; default ${DEFAULT_CONTEXTS})
  --kv <list>           KV cache types, K/V for asymmetric pairs: f16,q8_0,q8_0/q4_0
                        (default ${DEFAULT_KV}; turbo2/turbo3/turbo4 need --server)
  --fa on|off|auto      flash attention (default on)
  --parallel <n>        parallel sequences, llama.cpp -np (default 1; the context is split among them)
  --ubatch <n>          physical batch, llama.cpp -ub (default 512)
  --fill <n|ratio>      tokens to decode into each sequence before generating: a count (4096, 4k)
                        or a share of the per-sequence context (0.5); default context − ${DEFAULT_FILL_GAP}
  --gen <n>             single-token decode steps after the fill (default ${DEFAULT_GEN})
  --server <path>       profile through an external llama-server binary instead of the embedded
                        node-llama-cpp runner (for builds such as the TurboQuant fork)
  --server-args="<a>"   extra llama-server arguments, split on spaces (--server-args="-ngl 99";
                        the "=" is needed because the value starts with a dash)
  --stop-timeout <s>    seconds llama-server gets to exit after SIGTERM before SIGKILL (default 10)
  --gpu <kind>          embedded runner backend: auto, cuda, vulkan, metal, off (default auto)
  --threads <n>         CPU threads (default: the machine's math cores)
  --out <dir>           run folder (default runs-out/<date>-<model>-<host>/)
  --title <text>        run title for run.json (default: model, device and runtime)
  --notes <text>        notes for run.json: what the files cannot tell (e.g. "all weights are zero")
  --force               run steps predicted not to fit the free memory
  --dry-run             print the plan and the predicted memory of each step, run nothing
  --help                this text

Exit status: 0 done (steps that did not fit are results), 1 failure, 2 usage error, 130 interrupted.
`;

function positiveInt(option: string, raw: string): number {
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1)
    throw new UsageError(`--${option}: expected a positive whole number, got "${raw}"`);
  return Number(raw);
}

function tokens(option: string, raw: string): number {
  try {
    return parseTokens(raw);
  } catch (err) {
    throw new UsageError(`--${option}: ${err instanceof UnitError ? err.message : String(err)}`);
  }
}

function kvType(raw: string, where: string): KvType {
  const t = raw.trim();
  if (!(KV_TYPES as readonly string[]).includes(t)) {
    const hint = (KV_TYPES as readonly string[]).includes(t.toLowerCase())
      ? ` (write it lower-case: ${t.toLowerCase()})`
      : "";
    throw new UsageError(
      `--kv: unknown cache type "${raw}" in ${where}${hint}; expected one of ${KV_TYPES.join(", ")}`,
    );
  }
  return t as KvType;
}

export function parseKvList(raw: string): KvPair[] {
  const pairs: KvPair[] = [];
  for (const item of raw.split(",")) {
    if (item.trim() === "") throw new UsageError(`--kv: empty entry in "${raw}"`);
    const parts = item.split("/");
    if (parts.length > 2) throw new UsageError(`--kv: "${item}" has more than one "/" (expected K or K/V)`);
    const k = kvType(parts[0], `"${item}"`);
    const v = parts.length === 2 ? kvType(parts[1], `"${item}"`) : k;
    if (pairs.some((p) => p.k === k && p.v === v)) throw new UsageError(`--kv: ${k}/${v} is listed twice`);
    pairs.push({ k, v });
  }
  return pairs;
}

export function parseCtxList(raw: string): number[] {
  const out: number[] = [];
  for (const item of raw.split(",")) {
    if (item.trim() === "") throw new UsageError(`--ctx: empty entry in "${raw}"`);
    const n = tokens("ctx", item);
    if (n < 1) throw new UsageError(`--ctx: ${item} is not a positive context size`);
    if (out.includes(n)) throw new UsageError(`--ctx: ${item} (${n}) is listed twice`);
    out.push(n);
  }
  return out.sort((a, b) => a - b);
}

export function parseFill(raw: string): FillSpec {
  const s = raw.trim();
  if (/^(0?\.\d+|1(\.0+)?|0)$/.test(s)) {
    const ratio = Number(s);
    if (!(ratio > 0 && ratio <= 1)) throw new UsageError(`--fill: a ratio must be in (0, 1], got "${raw}"`);
    return { kind: "ratio", ratio };
  }
  const n = tokens("fill", s);
  if (n < 1) throw new UsageError(`--fill: expected a positive token count or a ratio in (0, 1], got "${raw}"`);
  return { kind: "tokens", tokens: n };
}

/** The command line's options (node:util parseArgs). */
const OPTIONS = {
  model: { type: "string", short: "m" },
  ctx: { type: "string", short: "c" },
  kv: { type: "string" },
  server: { type: "string" },
  "server-args": { type: "string" },
  "stop-timeout": { type: "string" },
  out: { type: "string", short: "o" },
  fa: { type: "string" },
  parallel: { type: "string" },
  ubatch: { type: "string" },
  fill: { type: "string" },
  gen: { type: "string" },
  threads: { type: "string" },
  gpu: { type: "string" },
  title: { type: "string" },
  notes: { type: "string" },
  force: { type: "boolean" },
  "dry-run": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Parse argv (without `node script`); returns null when --help was asked for. */
export function parseProfileArgs(argv: string[]): ProfileOptions | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: OPTIONS,
    });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  const v = parsed.values;
  if (v.help) return null;
  if (!v.model) throw new UsageError("--model <file.gguf> is required");

  const fa = (v.fa ?? "on") as FlashAttn;
  if (!["on", "off", "auto"].includes(fa)) throw new UsageError(`--fa: expected on, off or auto, got "${v.fa}"`);
  const gpu = (v.gpu ?? "auto") as GpuChoice;
  if (!["auto", "cuda", "vulkan", "metal", "off"].includes(gpu))
    throw new UsageError(`--gpu: expected auto, cuda, vulkan, metal or off, got "${v.gpu}"`);

  const kv = parseKvList(v.kv ?? DEFAULT_KV);
  const server = v.server ?? null;
  const turbo = kv.filter((p) => isTurboType(p.k) || isTurboType(p.v));
  if (turbo.length && !server)
    throw new UsageError(
      `--kv: ${turbo.map((p) => `${p.k}/${p.v}`).join(", ")} need the TurboQuant fork: add --server /path/to/llama-server`,
    );
  if (!server && v["server-args"] !== undefined) throw new UsageError("--server-args needs --server");
  if (server && v.gpu !== undefined)
    throw new UsageError("--gpu applies to the embedded runner; pass -ngl through --server-args");

  const parallel = v.parallel === undefined ? 1 : positiveInt("parallel", v.parallel);
  if (parallel > 256) throw new UsageError(`--parallel: at most 256 sequences (LLAMA_MAX_SEQ), got ${parallel}`);
  const contexts = parseCtxList(v.ctx ?? DEFAULT_CONTEXTS);
  for (const c of contexts)
    if (c % parallel !== 0)
      throw new UsageError(`--ctx: ${c} is not divisible by --parallel ${parallel} (each sequence gets n_ctx / n_seq)`);

  const stopTimeout = v["stop-timeout"] === undefined ? 10 : Number(v["stop-timeout"]);
  if (!Number.isFinite(stopTimeout) || stopTimeout <= 0 || stopTimeout > 600)
    throw new UsageError(`--stop-timeout: expected seconds in (0, 600], got "${v["stop-timeout"]}"`);

  return {
    model: v.model,
    contexts,
    kv,
    server,
    serverArgs: v["server-args"]?.trim() ? v["server-args"].trim().split(/\s+/) : [],
    out: v.out ?? null,
    fa,
    parallel,
    ubatch: v.ubatch === undefined ? 512 : positiveInt("ubatch", v.ubatch),
    fill: v.fill === undefined ? { kind: "default" } : parseFill(v.fill),
    gen: v.gen === undefined ? DEFAULT_GEN : v.gen === "0" ? 0 : positiveInt("gen", v.gen),
    threads: v.threads === undefined ? null : positiveInt("threads", v.threads),
    gpu,
    force: v.force ?? false,
    dryRun: v["dry-run"] ?? false,
    stopTimeout,
    title: v.title?.trim() || null,
    notes: v.notes?.trim() || null,
  };
}
