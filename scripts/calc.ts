/**
 * `npm run calc -- [options]`: memory breakdown of a model at a context, and the largest context
 * for a budget. Exit codes: 0 ok, 1 model cannot be sized / bad model input, 2 usage error.
 */
import { RuntimeConfigSchema } from "../src/schemas/runtime-config.ts";
import type { RuntimeConfig, RuntimeConfigInput } from "../src/schemas/runtime-config.ts";
import { KV_TYPES } from "../src/schemas/kv-type.ts";
import type { KvType } from "../src/schemas/kv-type.ts";
import type { Breakdown } from "../src/schemas/breakdown.ts";
import { computeBreakdown, EngineError, maxContext, maxContextPerKvType } from "../src/lib/engine/index.ts";
import type { Budget, BudgetPool, MaxContextResult, PerTypeResult } from "../src/lib/engine/index.ts";
import { formatTokens, GiB, MiB, parseBytes, parseTokens, UnitError } from "../src/lib/units.ts";
import { loadModel, ModelLoadError } from "./calc/load-model.ts";

const HELP = `Usage: npm run calc -- --model <model> [options]

Memory llama.cpp allocates for a model: KV cache per cache instance, recurrent state, weights,
output buffer, compute buffer (estimate), runtime overhead (estimate), totals per memory pool,
and the largest context for a budget.

  --model <m>        preset id (data/models/<id>.json), path/to/arch.json (an architecture or a
                     preset file), path/to/file.gguf, or https://…/file.gguf (header only)
  --ctx <n>          context: 32768, 32k, 128K (k = ×1024). Default 0 = the model's training
                     context (llama.cpp's default). llama.cpp: TOTAL over all sequences;
                     ollama: num_ctx PER REQUEST
  --ctk <t>, --ctv <t>  K / V cache type; --kv <t> sets both. Types: ${KV_TYPES.join(" ")}
                     (turbo* only with --engine turboquant). Default f16
  --parallel <n>     sequences (n_seq_max, 1–256). Default 1
  --unified | --no-unified  one KV stream for all sequences, or one per sequence. Default
                     --no-unified. Without --parallel this is llama-cli: n_seq 1, not unified
                     (a default llama-server runs -np 4 with unified KV: pass both)
  --swa-full         full-size caches for sliding-window layers
  --fa on|off|auto   flash attention. Default auto (resolves to on)
  --ubatch <n>       physical batch. Default 512       --batch <n>   logical batch. Default 2048
  --ngl <n>          layers on the GPU (-1 = all, the default; the output layer counts first)
  --no-kv-offload    keep KV cache and recurrent state in host memory
  --engine <e>       llama.cpp | turboquant | ollama. Default llama.cpp
  --revision <r>     rule revision: llama.cpp current|2025-11-07|2025-10-28|2025-07-16;
                     turboquant 2026-05|2026-03; ollama 2026-05. Default: newest
  --backend <b>      cuda | metal | cpu (compute-buffer and overhead rules). Default cuda
  --weights <ftype>  weights file type for presets, e.g. Q4_K_M, Q8_0, F16 (GGUF: exact table)
  --budget <size>    memory budget, e.g. 24GiB, 27GB: prints the largest context that fits,
                     also per KV type
  --pool <p>         what the budget limits: device | total | host. Default device for cuda,
                     total for metal/cpu
  --json             print the breakdown object (all sizes in bytes) instead of the table
  --help             this text

Exit codes: 0 ok, 1 model cannot be sized or bad model file, 2 usage error.`;

class UsageError extends Error {}

interface Args {
  model: string | null;
  json: boolean;
  help: boolean;
  budget: number | null;
  pool: BudgetPool | null;
  config: RuntimeConfigInput;
}

const ENUMS: Record<string, readonly string[]> = {
  "--fa": ["on", "off", "auto"],
  "--engine": ["llama.cpp", "turboquant", "ollama"],
  "--backend": ["cuda", "metal", "cpu"],
  "--pool": ["device", "total", "host"],
  "--ctk": KV_TYPES,
  "--ctv": KV_TYPES,
  "--kv": KV_TYPES,
};

function intArg(opt: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(v)) throw new UsageError(`${opt} "${v}": expected an integer`);
  const n = Number(v);
  if (n < min || n > max) throw new UsageError(`${opt} ${n}: expected ${min} … ${max}`);
  return n;
}

export function parseArgs(argv: readonly string[]): Args {
  const a: Args = { model: null, json: false, help: false, budget: null, pool: null, config: {} };
  const c = a.config as Record<string, unknown>;
  let engine: string | null = null;
  let revision: string | null = null;
  const flags = new Set(["--json", "--help", "-h", "--unified", "--no-unified", "--swa-full", "--no-kv-offload"]);
  for (let i = 0; i < argv.length; i++) {
    let opt = argv[i];
    let val: string | undefined;
    const eq = opt.indexOf("=");
    if (opt.startsWith("--") && eq > 0) {
      val = opt.slice(eq + 1);
      opt = opt.slice(0, eq);
    }
    if (flags.has(opt)) {
      if (val !== undefined) throw new UsageError(`${opt} takes no value`);
      if (opt === "--json") a.json = true;
      else if (opt === "--help" || opt === "-h") a.help = true;
      else if (opt === "--unified") c.kv_unified = true;
      else if (opt === "--no-unified") c.kv_unified = false;
      else if (opt === "--swa-full") c.swa_full = true;
      else if (opt === "--no-kv-offload") c.no_kv_offload = true;
      continue;
    }
    const known = [
      "--model",
      "--ctx",
      "--ctk",
      "--ctv",
      "--kv",
      "--parallel",
      "--fa",
      "--ubatch",
      "--batch",
      "--ngl",
      "--engine",
      "--revision",
      "--backend",
      "--weights",
      "--budget",
      "--pool",
    ];
    if (!known.includes(opt)) throw new UsageError(`unknown option "${opt}" (see --help)`);
    if (val === undefined) {
      val = argv[++i];
      if (val === undefined) throw new UsageError(`${opt} needs a value`);
    }
    const allowed = ENUMS[opt];
    if (allowed && !allowed.includes(val))
      throw new UsageError(`${opt} "${val}": expected one of ${allowed.join(", ")}`);
    try {
      switch (opt) {
        case "--model":
          a.model = val;
          break;
        case "--ctx":
          c.n_ctx = parseTokens(val);
          break;
        case "--ctk":
          c.type_k = val;
          break;
        case "--ctv":
          c.type_v = val;
          break;
        case "--kv":
          c.type_k = val;
          c.type_v = val;
          break;
        case "--parallel":
          c.n_seq = intArg(opt, val, 1, 256);
          break;
        case "--fa":
          c.flash_attn = val;
          break;
        case "--ubatch":
          c.n_ubatch = intArg(opt, val, 1);
          break;
        case "--batch":
          c.n_batch = intArg(opt, val, 1);
          break;
        case "--ngl":
          c.n_gpu_layers = intArg(opt, val, -1);
          break;
        case "--engine":
          engine = val;
          break;
        case "--revision":
          revision = val;
          break;
        case "--backend":
          c.backend = val;
          break;
        case "--weights":
          c.weights_ftype = val;
          break;
        case "--budget":
          a.budget = parseBytes(val);
          break;
        case "--pool":
          a.pool = val as BudgetPool;
          break;
      }
    } catch (e) {
      if (e instanceof UnitError) throw new UsageError(`${opt}: ${e.message}`);
      throw e;
    }
  }
  if (engine !== null || revision !== null) {
    const name = engine ?? "llama.cpp";
    c.engine = revision === null ? { name } : { name, revision };
  }
  return a;
}

function toConfig(input: RuntimeConfigInput): RuntimeConfig {
  const r = RuntimeConfigSchema.safeParse(input);
  if (!r.success) {
    const i = r.error.issues[0];
    const path = i.path.join(".");
    const opt = path.startsWith("engine") ? "--engine/--revision" : path;
    throw new UsageError(`${opt}: ${i.message}`);
  }
  return r.data;
}

const mib = (b: number): string => (b / MiB).toFixed(2);
const gib = (b: number): string => (b / GiB).toFixed(2);

function table(rows: string[][]): string {
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((x, i) => (i === 0 ? x.padEnd(w[i]) : x.padStart(w[i]))).join("  ")).join("\n");
}

function render(b: Breakdown, config: RuntimeConfig, source: string): string {
  const out: string[] = [];
  const ctx = b.context;
  out.push(
    `${b.model.name ?? b.model.arch} (${b.model.arch}) from ${source} · ${b.engine.name} ${b.engine.revision} · ${config.backend}`,
  );
  out.push(
    `context: requested ${ctx.requested}${ctx.n_ctx_total_requested !== ctx.requested ? ` (total ${ctx.n_ctx_total_requested})` : ""} → ${ctx.allocated_cells} cells allocated; n_ctx_seq ${ctx.n_ctx_seq} × ${ctx.n_stream} stream(s); n_seq ${ctx.n_seq}, ${ctx.kv_unified ? "unified KV" : "per-sequence KV streams"}`,
  );
  out.push(
    `effective: K ${b.effective.type_k}, V ${b.effective.type_v}, flash attention ${b.effective.flash_attn ? "on" : "off"}, n_ubatch ${b.effective.n_ubatch}`,
  );
  out.push("");
  const rows: string[][] = [["component", "pool", "MiB", "GiB"]];
  for (const c of b.kv.caches) {
    rows.push([
      `KV ${c.kind} (${c.cells} cells × ${c.n_stream}, ${c.layers} layers) K ${c.type_k} ${mib(c.k_bytes)} + V ${c.type_v ?? "-"} ${mib(c.v_bytes)}`,
      "device",
      mib(c.bytes),
      gib(c.bytes),
    ]);
    if (c.extra_bytes) rows.push([`  + TurboQuant rotation buffers`, "device", mib(c.extra_bytes), gib(c.extra_bytes)]);
  }
  if (b.recurrent.bytes > 0)
    rows.push([
      `recurrent state (${b.recurrent.layers} layers, ${b.recurrent.cells} cells) R ${mib(b.recurrent.r_bytes)} + S ${mib(b.recurrent.s_bytes)}`,
      "device",
      mib(b.recurrent.bytes),
      gib(b.recurrent.bytes),
    ]);
  for (const w of b.weights.per_device)
    rows.push([
      `weights ${w.name} (${b.weights.source}${b.weights.ftype ? `, ${b.weights.ftype}` : ""}${b.weights.estimate ? ", estimate" : ""})`,
      w.host ? "host" : "device",
      mib(w.bytes),
      gib(w.bytes),
    ]);
  rows.push([`output buffer ${b.output.name}`, "host", mib(b.output.bytes), gib(b.output.bytes)]);
  for (const c of b.compute.per_backend)
    rows.push([`compute ${c.name} (estimate)`, c.host ? "host" : "device", mib(c.bytes), gib(c.bytes)]);
  for (const p of b.overhead.parts)
    rows.push([`overhead: ${p.name} (estimate)`, p.host ? "host" : "device", mib(p.bytes), gib(p.bytes)]);
  rows.push(["total device", "", mib(b.total.device_bytes), gib(b.total.device_bytes)]);
  rows.push(["total host", "", mib(b.total.host_bytes), gib(b.total.host_bytes)]);
  rows.push(["total", "", mib(b.total.bytes), gib(b.total.bytes)]);
  out.push(table(rows));
  out.push("");
  out.push(`line: ${b.bytes_per_token} B per allocated cell + ${mib(b.fixed_bytes)} MiB fixed`);
  for (const n of b.notes) out.push(`${n.level === "warning" ? "warning" : "note"}: ${n.message}`);
  return out.join("\n");
}

function renderBudget(
  budget: Budget,
  pool: BudgetPool,
  best: MaxContextResult | null,
  perType: PerTypeResult[],
): string {
  const out: string[] = [];
  out.push(`budget ${(budget.bytes / GiB).toFixed(2)} GiB (${pool} memory):`);
  out.push(
    best
      ? `  max context ${best.n_ctx} (${formatTokens(best.n_ctx)})${best.limited_by === "limit" ? " — the limit (training context) itself fits" : ""}; next step +${best.step} does not fit`
      : "  does not fit even at the smallest context",
  );
  out.push("  per KV type (K = V):");
  for (const p of perType)
    out.push(
      `    ${p.type.padEnd(7)} ${p.result ? `${p.result.n_ctx}`.padStart(9) + (p.result.limited_by === "limit" ? " (limit)" : "") : p.error ? `— ${p.error}` : "— does not fit"}`,
    );
  return out.join("\n");
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: Args;
  let config: RuntimeConfig;
  try {
    args = parseArgs(argv);
    if (args.help) {
      console.log(HELP);
      return 0;
    }
    if (!args.model) throw new UsageError("--model is required (a preset id, arch .json, .gguf or https URL)");
    config = toConfig(args.config);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`calc: ${e.message}`);
      return 2;
    }
    throw e;
  }
  try {
    const m = await loadModel(args.model);
    const opts = { tensors: m.tensors, tensors_ftype: m.tensorsFtype };
    const b = computeBreakdown(m.architecture, config, opts);
    let budgetOut: { budget: Budget; pool: BudgetPool; max: MaxContextResult | null; perType: PerTypeResult[] } | null =
      null;
    if (args.budget !== null) {
      const budget: Budget = { bytes: args.budget, pool: args.pool ?? undefined };
      const pool = args.pool ?? (config.backend === "cuda" ? "device" : "total");
      const max = maxContext(m.architecture, config, budget, opts);
      const types: KvType[] = KV_TYPES.filter((t) =>
        config.engine.name === "turboquant" ? true : !t.startsWith("turbo"),
      );
      const perType = maxContextPerKvType(m.architecture, config, budget, types, opts);
      budgetOut = { budget, pool, max, perType };
    }
    if (args.json) {
      const obj: Record<string, unknown> = { ...b };
      if (budgetOut)
        obj.budget = {
          bytes: budgetOut.budget.bytes,
          pool: budgetOut.pool,
          max_context: budgetOut.max ? budgetOut.max.n_ctx : null,
          limited_by: budgetOut.max ? budgetOut.max.limited_by : null,
          per_kv_type: budgetOut.perType.map((p) => ({
            type: p.type,
            max_context: p.result ? p.result.n_ctx : null,
            error: p.error,
          })),
        };
      console.log(JSON.stringify(obj, null, 2));
    } else {
      console.log(render(b, config, m.source));
      if (budgetOut) {
        console.log("");
        console.log(renderBudget(budgetOut.budget, budgetOut.pool, budgetOut.max, budgetOut.perType));
      }
      if (!args.config.n_seq && !args.config.kv_unified)
        console.log("(llama-cli semantics: n_seq 1, KV not unified; use --parallel/--unified for a server)");
    }
    return 0;
  } catch (e) {
    if (e instanceof EngineError || e instanceof ModelLoadError) {
      console.error(`calc: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
