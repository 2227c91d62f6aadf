/**
 * Everything a llama.cpp main context states about its point: configuration, K/V types (with the
 * TurboQuant fork's notes), placement, caches, recurrent state, compute/output/model buffers and
 * the memory breakdown table. The parts run in a fixed order: notes and measured fields appear in
 * the run file in that order.
 */
import { MiB } from "../../../src/lib/units.ts";
import type { MeasuredKvCache, Point } from "../../../src/schemas/run.ts";
import type { ContextFact, LlamaCppFacts, ModelLoadFact } from "../parsers/llama-cpp.ts";
import {
  bufferRows,
  faOf,
  intOf,
  isHostBuffer,
  isKvType,
  MIB2_RES,
  mv,
  setConfig,
  src,
  type PointDraft,
} from "./draft.ts";

/** The context's parameter lines, --fit's reduction and flash attention's resolution. */
function contextParams(d: PointDraft, f: LlamaCppFacts, c: ContextFact): void {
  const p = c.params;
  d.n_ctx_allocated = intOf(p.n_ctx?.value) ?? d.n_ctx_allocated;
  d.n_ctx_seq = intOf(p.n_ctx_seq?.value) ?? d.n_ctx_seq;
  setConfig(d, "n_seq", intOf(p.n_seq_max?.value), "log");
  if (p.kv_unified) setConfig(d, "kv_unified", p.kv_unified.value === "true", "log");
  setConfig(d, "flash_attn", faOf(p.flash_attn?.value), "log");
  setConfig(d, "n_batch", intOf(p.n_batch?.value), "log");
  setConfig(d, "n_ubatch", intOf(p.n_ubatch?.value), "log");
  setConfig(d, "n_rs_seq", intOf(p.n_rs_seq?.value), "log");
  if (f.fit?.reduced) {
    setConfig(d, "n_ctx", f.fit.reduced.to, "log");
    d.notes.push(
      `--fit reduced the context from ${f.fit.reduced.from} to ${f.fit.reduced.to} (line ${f.fit.reduced.line})`,
    );
  }
  if (c.flashAttnResolved)
    d.notes.push(`flash attention auto resolved to ${c.flashAttnResolved.value} (line ${c.flashAttnResolved.line})`);
}

/** K/V types: the size line prints the effective K (after the fork's auto-asymmetric upgrade). */
function kvTypes(d: PointDraft, f: LlamaCppFacts, c: ContextFact): void {
  const sized = c.caches.filter((k) => k.size);
  const kTypes = [...new Set(sized.map((k) => k.size!.k.type))];
  const vTypes = [...new Set(sized.map((k) => k.size!.v?.type).filter((t): t is string => !!t))];
  let kReq = kTypes.length === 1 ? kTypes[0] : undefined;
  const asym = f.turbo.autoAsymmetric;
  if (asym && kReq === asym.to && asym.from) {
    kReq = asym.from;
    d.notes.push(`TurboQuant auto-asymmetric: K requested ${asym.from}, stored as ${asym.to} (line ${asym.line})`);
  } else if (asym && kReq === asym.to)
    d.notes.push(
      `TurboQuant auto-asymmetric upgraded K to ${asym.to} (line ${asym.line}); the requested K type is not printed`,
    );
  if (kReq !== undefined && !(asym && !asym.from && kReq === asym.to)) {
    if (isKvType(kReq)) setConfig(d, "type_k", kReq, "log");
    else d.notes.push(`K type "${kReq}" is not one the engine models`);
  }
  if (vTypes.length === 1) {
    if (isKvType(vTypes[0])) setConfig(d, "type_v", vTypes[0], "log");
    else d.notes.push(`V type "${vTypes[0]}" is not one the engine models`);
  }
  if (f.turbo.boundaryV)
    d.notes.push(`TurboQuant boundary V: ${f.turbo.boundaryV.text} (line ${f.turbo.boundaryV.line})`);
  for (const z of f.turbo.zeroPadding)
    d.notes.push(`TurboQuant zero-padding ${z.which} head_dim ${z.from} → ${z.to} (line ${z.line})`);
  if (f.turbo.flashAttnForced) d.notes.push(`TurboQuant forced flash attention on (line ${f.turbo.flashAttnForced})`);
}

/** Offloaded layers and whether the KV cache stayed on the host. */
function placement(d: PointDraft, c: ContextFact, model: ModelLoadFact | undefined): void {
  if (model?.offloaded) {
    const o = model.offloaded;
    setConfig(d, "n_gpu_layers", o.layers >= o.of ? -1 : o.layers, "log");
  }
  const kvDevices = c.caches.flatMap((k) => k.buffers.map((b) => b.device));
  if (kvDevices.length && model?.offloaded && model.offloaded.layers > 0)
    setConfig(
      d,
      "no_kv_offload",
      kvDevices.every((x) => isHostBuffer(x)),
      "log",
    );
}

/** One measured cache per KV size line, and their sums as kv/k/v bytes. */
function caches(d: PointDraft, c: ContextFact, file: string): void {
  for (const k of c.caches) {
    if (!k.size) {
      if (k.buffers.length) d.warnings.push({ file, line: k.line, message: "KV buffer lines without a size line" });
      continue;
    }
    const s = k.size;
    const kind = k.kind === "swa" ? "swa" : k.kind === "dsa-indexer" ? "indexer" : "full";
    const mc: MeasuredKvCache = {
      kind,
      k_bytes: s.k.bytes,
      v_bytes: s.v?.bytes ?? 0,
      bytes: s.bytes,
      type_k: s.k.type,
      type_v: s.v?.type ?? null,
      source: src("llama.cpp", file, s.line, `${s.prefix}: size line (${s.format})`),
    };
    if (s.cells !== undefined) mc.cells = s.cells;
    if (s.layers !== undefined) mc.layers = s.layers;
    if (s.nStream !== undefined) mc.n_stream = s.nStream;
    if (s.nSeqMax !== undefined) mc.n_seq_max = s.nSeqMax;
    d.caches.push(mc);
  }
  const sized = c.caches.filter((k) => k.size);
  if (!sized.length) return;
  const first = sized[0].size!;
  const n = sized.length;
  const sum = (g: (x: (typeof sized)[number]) => number) => sized.reduce((a, x) => a + g(x), 0);
  const where = src("llama.cpp", file, first.line, n > 1 ? `Σ of ${n} KV size lines` : "KV size line");
  d.measured.kv_bytes = mv(
    sum((x) => x.size!.bytes),
    where,
    MIB2_RES * n,
  );
  d.measured.k_bytes = mv(
    sum((x) => x.size!.k.bytes),
    where,
    MIB2_RES * n,
  );
  d.measured.v_bytes = mv(
    sum((x) => x.size!.v?.bytes ?? 0),
    where,
    MIB2_RES * n,
  );
}

/** The recurrent state: the last size line in detail, all of them summed. */
function recurrent(d: PointDraft, c: ContextFact, file: string): void {
  const rs = c.recurrent.filter((r) => r.size);
  if (!rs.length) return;
  const s = rs[rs.length - 1].size!;
  d.recurrent = {
    bytes: s.bytes,
    r_bytes: s.r.bytes,
    s_bytes: s.s.bytes,
    type_r: s.r.type,
    type_s: s.s.type,
    cells: s.cells,
    layers_printed: s.layers,
    n_seq: s.nSeq,
    ...(s.rsSeq !== undefined ? { rs_seq: s.rsSeq } : {}),
    source: src("llama.cpp", file, s.line, "recurrent size line"),
  };
  d.measured.recurrent_bytes = mv(
    rs.reduce((a, r) => a + r.size!.bytes, 0),
    src("llama.cpp", file, s.line, "recurrent size line"),
    MIB2_RES * rs.length,
  );
}

/** Compute, output and model buffer sums. */
function bufferSums(d: PointDraft, c: ContextFact, model: ModelLoadFact | undefined, file: string): void {
  if (c.compute.length) {
    d.measured.compute_bytes = mv(
      c.compute.reduce((a, b) => a + b.bytes, 0),
      src(
        "llama.cpp",
        file,
        c.compute[0].line,
        `Σ of ${c.compute.length} compute buffer lines (${c.compute.map((b) => b.device).join(", ")})`,
      ),
      MIB2_RES * c.compute.length,
    );
    if (c.computeBlocks > 1)
      d.notes.push(`compute buffers were reserved ${c.computeBlocks} times; the last block is kept`);
  }
  if (c.output.length)
    d.measured.output_bytes = mv(
      c.output.reduce((a, b) => a + b.bytes, 0),
      src("llama.cpp", file, c.output[0].line, "output buffer line"),
      MIB2_RES * c.output.length,
    );
  if (model?.buffers.length)
    d.measured.model_bytes = mv(
      model.buffers.reduce((a, b) => a + b.bytes, 0),
      src(
        "llama.cpp",
        file,
        model.buffers[0].line,
        `Σ of model buffer lines (${model.buffers.map((b) => b.device).join(", ")})`,
      ),
      MIB2_RES * model.buffers.length,
    );
}

/** The memory breakdown table (llama.cpp's exit summary), and its unaccounted column as buffers. */
function breakdown(d: PointDraft, c: ContextFact, file: string): void {
  if (!c.breakdown?.rows.length) return;
  d.memory_breakdown = c.breakdown.rows.map((r) => {
    const row: NonNullable<Point["memory_breakdown"]>[number] = {
      device: r.name,
      host: r.kind === "host",
      self_bytes: r.selfMiB * MiB,
      model_bytes: r.modelMiB * MiB,
      context_bytes: r.contextMiB * MiB,
      compute_bytes: r.computeMiB * MiB,
      source: src("llama.cpp memory breakdown", file, r.line),
    };
    if (r.description) row.description = r.description;
    if (r.totalMiB !== undefined) row.total_bytes = r.totalMiB * MiB;
    if (r.freeMiB !== undefined) row.free_bytes = r.freeMiB * MiB;
    if (r.unaccountedMiB !== undefined) row.unaccounted_bytes = r.unaccountedMiB * MiB;
    return row;
  });
  for (const r of c.breakdown.rows)
    if (r.unaccountedMiB !== undefined && r.unaccountedMiB >= 0)
      d.buffers.push({
        component: "unaccounted",
        device: r.name,
        host: false,
        bytes: r.unaccountedMiB * MiB,
        source: src("llama.cpp memory breakdown", file, r.line, "unaccounted column"),
        resolution_bytes: MiB,
      });
}

/** Everything a llama.cpp main context states about its point. */
export function applyContext(
  d: PointDraft,
  f: LlamaCppFacts,
  c: ContextFact,
  model: ModelLoadFact | undefined,
  file: string,
): void {
  d.raw_files.add(file);
  contextParams(d, f, c);
  kvTypes(d, f, c);
  placement(d, c, model);
  caches(d, c, file);
  recurrent(d, c, file);
  bufferSums(d, c, model, file);
  d.buffers.push(
    ...bufferRows(model?.buffers ?? [], file),
    ...bufferRows(
      c.caches.flatMap((k) => k.buffers),
      file,
    ),
    ...bufferRows(
      c.recurrent.flatMap((r) => r.buffers),
      file,
    ),
    ...bufferRows(c.output, file),
    ...bufferRows(c.compute, file),
  );
  breakdown(d, c, file);
  for (const note of f.kvNotes) d.notes.push(`${note.text} (line ${note.line})`);
  if (c.repeats > 0)
    d.notes.push(`the log repeats this context identically ${c.repeats} more time(s); folded into one point`);
}
