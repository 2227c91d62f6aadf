/**
 * Compares what llama.cpp logged for a context (a recorded fixture case or a live run) with the
 * engine's breakdown for the same architecture and request. Every expected number comes from
 * llama.cpp's own lines; the engine is only ever the value under test.
 */
import assert from "node:assert/strict";
import { computeBreakdown, EngineError } from "../../../src/lib/engine/index.ts";
import { ggufToArchitecture } from "../../../src/lib/gguf/map.ts";
import type { GgufMetadata, GgufValue } from "../../../src/lib/gguf/header.ts";
import type { Architecture } from "../../../src/schemas/architecture.ts";
import type { Breakdown } from "../../../src/schemas/breakdown.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";
import type { RuntimeConfig } from "../../../src/schemas/runtime-config.ts";
import { mib2 } from "../../helpers/llama-cpp.ts";
import type { ContextParamsLog, ContextRequest, KvSizeLine, RsSizeLine } from "../../helpers/llama-cpp.ts";

/** What one llama.cpp context run produced (fixture case or live result). */
export interface OracleObservation {
  ok: boolean;
  error: string | null;
  params: ContextParamsLog | null;
  kv: KvSizeLine[];
  iswa: { kind: "non-SWA" | "SWA"; cells: number }[];
  rs: RsSizeLine[];
  compute_exact: { backend: string; mib: number }[];
  breakdown_cpu_bytes: number | null;
  lines: string[];
}

const PAD256 = (x: number): number => Math.ceil(x / 256) * 256;

/**
 * The runtime config llama.cpp received. The harness's "addon" path passes the request through
 * (n_ubatch = n_batch); the "public" path is node-llama-cpp's LlamaModel.createContext, which
 * treats the size as per sequence and pads it: n_ctx = PAD(nCtx / nSeq, 256) × nSeq.
 */
export function configFor(req: ContextRequest): RuntimeConfig {
  const nSeq = req.nSeq ?? 1;
  const nBatch = req.nBatch ?? 512;
  const nCtx = req.api === "public" ? PAD256(req.nCtx / nSeq) * nSeq : req.nCtx;
  return RuntimeConfigSchema.parse({
    n_ctx: nCtx,
    n_seq: nSeq,
    kv_unified: false,
    swa_full: req.swaFull ?? false,
    flash_attn: req.flashAttention ?? "auto",
    type_k: typeof req.typeK === "string" ? req.typeK.toLowerCase() : "f16",
    type_v: typeof req.typeV === "string" ? req.typeV.toLowerCase() : "f16",
    n_batch: nBatch,
    n_ubatch: nBatch,
    n_gpu_layers: 0,
    backend: "cpu",
    engine: { name: "llama.cpp", revision: "current" },
  });
}

/** Fixture metadata (typed values; vocabulary arrays stored as their length) → GGUF metadata. */
export function metadataFromFixture(meta: Record<string, unknown>): GgufMetadata {
  const out: GgufMetadata = {};
  for (const [k, raw] of Object.entries(meta)) {
    const v = raw as { type: string; value?: unknown; length?: number };
    if (v.type === "array" && v.length !== undefined && v.value === undefined)
      out[k] = new Array<GgufValue>(v.length).fill(0);
    else out[k] = v.value as GgufValue;
  }
  return out;
}

export function architectureFromFixture(meta: Record<string, unknown>): Architecture {
  return ggufToArchitecture(metadataFromFixture(meta));
}

const OUTPUT_RE = /llama_context:\s*(\S+)\s+output buffer size =\s*([0-9.]+) MiB/;

/**
 * Assert the engine reproduces llama.cpp: refusals, allocated cells, every KV cache's size line
 * (cells, layers, streams, types, K and V MiB as printed), the recurrent size line, the output
 * buffer, and the KV + RS bytes from the memory breakdown to within the 4-decimal compute figure.
 */
export function assertEngineMatches(arch: Architecture, req: ContextRequest, obs: OracleObservation): Breakdown | null {
  const config = configFor(req);
  if (!obs.ok) {
    assert.throws(
      () => computeBreakdown(arch, config),
      (e: unknown) => e instanceof EngineError,
      `llama.cpp refused this configuration (${obs.error}); the engine must refuse it too (EngineError)`,
    );
    return null;
  }
  const b = computeBreakdown(arch, config);

  if (obs.params) {
    assert.equal(b.context.allocated_cells, obs.params.n_ctx, "llama_context: n_ctx (allocated cells)");
    assert.equal(b.context.n_ctx_seq, obs.params.n_ctx_seq, "llama_context: n_ctx_seq");
  }

  // attention caches, in llama.cpp's order (iSWA: non-SWA first, then SWA)
  const caches = b.kv.caches.filter((c) => c.kind !== "indexer");
  assert.equal(
    caches.length,
    obs.kv.length,
    `number of llama_kv_cache size lines: llama.cpp ${obs.kv.length}, engine ${caches.length} (${caches.map((c) => c.kind).join(", ")})`,
  );
  obs.kv.forEach((line, i) => {
    const kind = obs.iswa.length ? (obs.iswa[i].kind === "SWA" ? "swa" : "full") : "full";
    const c = caches.find((x) => x.kind === kind) ?? caches[i];
    const where = `${kind} cache`;
    assert.equal(c.kind, kind, `${where}: kind`);
    assert.equal(c.cells, line.cells, `${where}: cells per stream`);
    assert.equal(c.n_stream, line.streams, `${where}: streams`);
    assert.equal(c.layers, line.layers, `${where}: layers`);
    assert.equal(c.type_k, line.typeK, `${where}: K type`);
    if (c.type_v !== null) assert.equal(c.type_v, line.typeV, `${where}: V type`);
    assert.equal(mib2(c.k_bytes), line.raw.kMib, `${where}: K MiB (engine ${c.k_bytes} B)`);
    assert.equal(mib2(c.v_bytes), line.raw.vMib, `${where}: V MiB (engine ${c.v_bytes} B)`);
    assert.equal(mib2(c.bytes), line.raw.mib, `${where}: total MiB (engine ${c.bytes} B)`);
  });

  // recurrent state
  if (obs.rs.length) {
    const rs = obs.rs[obs.rs.length - 1];
    assert.equal(b.recurrent.cells, rs.cells, "recurrent cells (= max(1, n_seq))");
    assert.equal(mib2(b.recurrent.r_bytes), rs.raw.rMib, `R MiB (engine ${b.recurrent.r_bytes} B)`);
    assert.equal(mib2(b.recurrent.s_bytes), rs.raw.sMib, `S MiB (engine ${b.recurrent.s_bytes} B)`);
  } else {
    assert.equal(b.recurrent.bytes, 0, "llama.cpp allocated no recurrent state");
  }

  // output (logits) buffer
  const out = obs.lines.map((l) => OUTPUT_RE.exec(l)).find((x) => x !== null);
  if (out) assert.equal(mib2(b.output.bytes), out[2], `output buffer MiB (engine ${b.output.bytes} B)`);

  // near-exact bytes: host context = memory breakdown (context + compute) − compute (4 decimals)
  if (obs.breakdown_cpu_bytes !== null && obs.compute_exact.length) {
    const compute = obs.compute_exact.reduce((s, c) => s + c.mib, 0) * 1048576;
    const context = obs.breakdown_cpu_bytes - compute;
    const engine = b.kv.bytes + b.recurrent.bytes;
    // ±0.00005 MiB per printed compute figure, plus ≤ 31 B of 32-byte alignment per tensor
    const tensors = 2 * caches.reduce((s, c) => s + c.layers, 0) + 3 * arch.block_count;
    const tol = 53 * obs.compute_exact.length + 31 * tensors;
    assert.ok(
      Math.abs(context - engine) <= tol,
      `KV + RS bytes: llama.cpp memory breakdown ${Math.round(context)} B, engine ${engine} B (tolerance ${tol} B)`,
    );
  }
  return b;
}
