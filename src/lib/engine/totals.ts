import type { Architecture } from "../../schemas/architecture.ts";
import type { Breakdown } from "../../schemas/breakdown.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import { alignedKvBytes, computeBreakdown, computeInput, kvRowTensors } from "./breakdown.ts";
import type { BreakdownOptions } from "./breakdown.ts";
import { estimateCompute, estimateOverhead } from "./compute.ts";
import type { ComputeInput } from "./compute.ts";
import { cellRules, planContext, swaCells } from "./context.ts";
import { planMemory } from "./memory-plan.ts";
import { computeWeights } from "./runtime-weights.ts";

/**
 * The totals-only engine path (docs/memory-model.md#totals-only): a configuration's device,
 * host and total bytes at any n_ctx without building a Breakdown. Everything that does not
 * depend on n_ctx (weights, output buffer, recurrent state, which layer's KV lives where, each
 * tensor's alignment and row padding) is taken once from a real breakdown; what does (the cell
 * plan, each cache's cells, the KV tensors' bytes = bytes per cell × cells, the compute and
 * overhead estimates) is recomputed with the engine's own functions. The caller checks the
 * model against full breakdowns before trusting it (curve.ts), so a rule the model missed
 * falls back to the engine instead of giving a wrong answer.
 */

/** Totals of one n_ctx, by pool. */
export interface Totals {
  readonly device: number;
  readonly host: number;
  readonly total: number;
}

/** Identical K/V tensors of one cache on one buffer: `count` layers of kRow/vRow bytes per cell. */
interface KvGroup {
  readonly dev: number;
  readonly count: number;
  readonly kRow: number;
  readonly vRow: number;
  readonly t: ReturnType<typeof kvRowTensors>;
}

interface CacheForm {
  readonly swa: boolean;
  readonly groups: readonly KvGroup[];
  /** Turbo rotation buffers: fixed bytes on the first layer's buffer (dev), 0 without. */
  readonly extra: number;
  readonly extraDev: number;
}

/** The estimates' input, refilled per call (they read it, never keep it). */
type MutableInput = { -readonly [K in keyof ComputeInput]: ComputeInput[K] };

/** A configuration's totals as a function of n_ctx. */
export type TotalsAt = (nCtx: number) => Totals;

function sumHost(list: readonly { host: boolean; bytes: number }[], acc: [number, number]): void {
  for (const b of list) {
    if (b.host) acc[1] += b.bytes;
    else acc[0] += b.bytes;
  }
}

/** The KV caches as groups of identical tensors, with the buffers in the order assemble() meets them. */
function cacheForms(b: Breakdown, config: RuntimeConfig): { forms: CacheForm[]; hostOf: boolean[] } {
  const devIndex = new Map<string, number>();
  const hostOf: boolean[] = [];
  const dev = (name: string): number => {
    let i = devIndex.get(name);
    if (i === undefined) devIndex.set(name, (i = hostOf.push(name === "CPU") - 1));
    return i;
  };
  const forms = b.kv.caches.map((c): CacheForm => {
    const all = c.cells * c.n_stream;
    const groups = new Map<string, KvGroup>();
    for (const row of c.rows) {
      const t = kvRowTensors(row, config);
      const g = { dev: dev(row.device), kRow: row.k_bytes / all, vRow: row.v_bytes / all, t };
      const key = `${g.dev}|${g.kRow}|${g.vRow}|${t.align}|${t.pad_k}|${t.pad_v}`;
      const seen = groups.get(key);
      groups.set(key, { ...g, count: (seen?.count ?? 0) + 1 });
    }
    const extraDev = c.extra_bytes > 0 && c.rows.length > 0 ? dev(c.rows[0].device) : -1;
    return { swa: c.kind === "swa", groups: [...groups.values()], extra: extraDev >= 0 ? c.extra_bytes : 0, extraDev };
  });
  return { forms, hostOf };
}

/**
 * Build the totals of (arch, config without n_ctx, opts) from one real breakdown at `nRef`
 * (`given`: that breakdown when the caller already has it, `computeBreakdown` of the same inputs).
 * Throws what the engine throws for the configuration.
 */
export function totalsModel(
  arch: Architecture,
  config: RuntimeConfig,
  opts: BreakdownOptions,
  nRef: number,
  given?: Breakdown,
): { at: TotalsAt; ref: Totals } {
  const cfg = { ...config, n_ctx: nRef };
  const m = planMemory(arch, cfg);
  const b = given ?? computeBreakdown(arch, cfg, opts);
  const ci0 = computeInput(arch, cfg, m);
  const { forms, hostOf } = cacheForms(b, config);
  const fixed: [number, number] = [0, 0];
  sumHost(b.recurrent.per_device, fixed);
  sumHost(b.weights.per_device, fixed);
  const fullIdx = m.caches.findIndex((c) => c.kind === "full" && c.layers > 0);
  const full = fullIdx >= 0 ? fullIdx : m.caches.findIndex((c) => c.kind === "swa");
  const swaIdx = m.caches.findIndex((c, i) => c.kind === "swa" && c.layers > 0 && i !== full);
  const rules = cellRules(config.engine);
  const ollama = config.engine.name === "ollama";
  const { n_seq: nSeq, kv_unified: unified, n_batch: nBatch, n_ubatch: nUbatch, swa_full: swaFull } = config;
  const nSwa = m.r.has_swa ? m.r.n_swa! : 0;
  const outBytes = b.output.bytes;
  const kv = new Array<number>(hostOf.length).fill(0);
  const ci: MutableInput = { ...ci0 };
  // The overhead estimate also reads the weights' matmul profile (as assemble() passes it).
  const co: MutableInput = { ...ci0, matmul: computeWeights(arch, cfg, opts).matmul };
  const fullSwa = full >= 0 && forms[full].swa;
  const swaSwa = swaIdx >= 0 && forms[swaIdx].swa;
  const at = (nCtx: number): Totals => {
    const p = planContext(ollama ? nCtx * nSeq : nCtx, nSeq, unified, nBatch, nUbatch, rules, m.fa);
    const seq = p.n_ctx_seq;
    const swa = nSwa > 0 ? swaCells(p, nSwa, nSeq, unified, swaFull, rules) : 0;
    for (let i = 0; i < kv.length; i++) kv[i] = 0;
    for (const f of forms) {
      const all = (f.swa ? swa : seq) * p.n_stream;
      for (const g of f.groups) kv[g.dev] += g.count * alignedKvBytes(g.t, g.kRow * all, g.vRow * all);
      if (f.extraDev >= 0) kv[f.extraDev] += f.extra;
    }
    const fullCells = full < 0 ? 0 : fullSwa ? swa : seq;
    for (const o of [ci, co]) {
      o.n_tok = p.n_ubatch;
      o.n_kv = fullCells;
      o.cells_total = full >= 0 ? fullCells * p.n_stream : 1;
      o.n_kv_swa = swaIdx < 0 ? 0 : swaSwa ? swa : seq;
      o.n_stream = full >= 0 ? p.n_stream : 1;
    }
    // Summed in assemble()'s order: KV, recurrent + weights (fixed), compute, output, overhead.
    let device = 0;
    let host = 0;
    for (let i = 0; i < kv.length; i++) {
      if (hostOf[i]) host += kv[i];
      else device += kv[i];
    }
    device += fixed[0];
    host += fixed[1];
    for (const c of estimateCompute(ci).per_backend) {
      if (c.host) host += c.bytes;
      else device += c.bytes;
    }
    const over = estimateOverhead(co);
    host += outBytes;
    device += over.device_bytes;
    host += over.host_bytes;
    return { device, host, total: device + host };
  };
  return { at, ref: { device: b.total.device_bytes, host: b.total.host_bytes, total: b.total.bytes } };
}
