/**
 * llama.cpp's context log lines as the harness (llama-cpp.ts) reads them: the KV and recurrent
 * size lines, the context parameters, the compute buffers, and the requests and results of a
 * context run.
 */
export interface LogLine {
  level: string;
  text: string;
}

/** `llama_kv_cache: size = … MiB (cells, layers, seqs), K (t): … MiB, V (t): … MiB`. */
export interface KvSizeLine {
  mib: number;
  cells: number;
  layers: number;
  seqs: number;
  streams: number;
  typeK: string;
  kMib: number;
  typeV: string;
  vMib: number;
  /** The printed numbers verbatim, for exact string comparison ("6.12"). */
  raw: { mib: string; kMib: string; vMib: string };
}

/** `llama_memory_recurrent: size = … MiB (cells, layers, seqs rs_seq), R (t): …, S (t): …`. */
export interface RsSizeLine {
  mib: number;
  cells: number;
  layers: number;
  seqs: number;
  rsSeq: number;
  typeR: string;
  rMib: number;
  typeS: string;
  sMib: number;
  raw: { mib: string; rMib: string; sMib: string };
}

export interface ContextParamsLog {
  n_seq_max: number;
  n_ctx: number;
  n_ctx_seq: number;
  n_batch: number;
  n_ubatch: number;
  flash_attn: string;
  kv_unified: string;
  n_rs_seq?: number;
}

export interface ContextRequest {
  /** n_ctx as llama.cpp takes it (total over sequences); with api "public", must divide by nSeq. */
  nCtx: number;
  /** n_seq_max (parallel sequences, one KV stream each). Default 1. */
  nSeq?: number;
  /** n_batch; node-llama-cpp sets n_ubatch to the same value. Default 512. */
  nBatch?: number;
  flashAttention?: "on" | "off" | "auto";
  typeK?: string | number;
  typeV?: string | number;
  swaFull?: boolean;
  /** Tokens to decode on sequence 0 after creation (proves the context works). Default 0. */
  decode?: number;
  api?: "addon" | "public";
}

export interface ContextResult {
  ok: boolean;
  /** Why creation failed, from the exception and llama.cpp's error lines. */
  error?: string;
  /** Every line llama.cpp logged from context creation through its disposal, verbatim. */
  lines: string[];
  params?: ContextParamsLog;
  kv: KvSizeLine[];
  /** `creating non-SWA / SWA KV cache, size = N cells` lines, in order. */
  iswa: { kind: "non-SWA" | "SWA"; cells: number }[];
  rs: RsSizeLine[];
  /** `… compute buffer size = X MiB` (last reserve) per backend. */
  compute: { backend: string; mib: number }[];
  /** The destructor's 4-decimal compute buffer check, per backend (MiB). */
  computeExact: { backend: string; mib: number }[];
  /** Host bytes of context (KV + RS buffers) + compute, from llama.cpp's memory breakdown. */
  breakdownCpuBytes?: number;
  /** Tokens decoded successfully. */
  decoded: number;
}

const NUM = String.raw`([0-9]+(?:\.[0-9]+)?)`;
const KV_RE = new RegExp(
  String.raw`llama_kv_cache: size =\s*${NUM} MiB \(\s*(\d+) cells,\s*(\d+) layers,\s*(\d+)/(\d+) seqs\), K \((\w+)\):\s*${NUM} MiB, V \((\w+)\):\s*${NUM} MiB`,
);
const RS_RE = new RegExp(
  String.raw`llama_memory_recurrent: size =\s*${NUM} MiB \(\s*(\d+) cells,\s*(\d+) layers,\s*(\d+) seqs\s+(\d+) rs_seq\), R \((\w+)\):\s*${NUM} MiB, S \((\w+)\):\s*${NUM} MiB`,
);
const ISWA_RE = /llama_kv_cache_iswa: creating\s+(non-SWA|SWA) KV cache, size = (\d+) cells/;
const COMPUTE_RE = new RegExp(String.raw`sched_reserve:\s*(\S+) compute buffer size =\s*${NUM} MiB`);
const COMPUTE_EXACT_RE = new RegExp(String.raw`~llama_context:\s*(\S+) compute buffer size is\s*${NUM} MiB`);
const PARAM_RE =
  /llama_context: (n_seq_max|n_ctx|n_ctx_seq|n_batch|n_ubatch|flash_attn|kv_unified|n_rs_seq)\s*=\s*(\S+)/;

/** Captures 1–4 of KV_RE and RS_RE: total MiB, cells, layers, seqs. */
function sizeCounts(m: RegExpExecArray): Pick<KvSizeLine, "mib" | "cells" | "layers" | "seqs"> {
  return { mib: Number(m[1]), cells: Number(m[2]), layers: Number(m[3]), seqs: Number(m[4]) };
}

export function parseKvSizeLine(line: string): KvSizeLine | undefined {
  const m = KV_RE.exec(line);
  if (!m) return undefined;
  const [, mib, , , , streams, typeK, kMib, typeV, vMib] = m;
  return { ...sizeCounts(m), streams: +streams, typeK, kMib: +kMib, typeV, vMib: +vMib, raw: { mib, kMib, vMib } };
}

export function parseRsSizeLine(line: string): RsSizeLine | undefined {
  const m = RS_RE.exec(line);
  if (!m) return undefined;
  const [, mib, , , , rsSeq, typeR, rMib, typeS, sMib] = m;
  return { ...sizeCounts(m), rsSeq: +rsSeq, typeR, rMib: +rMib, typeS, sMib: +sMib, raw: { mib, rMib, sMib } };
}

/** Parse the figures of interest out of a run's verbatim lines. */
export function parseContextLines(
  lines: readonly string[],
): Omit<ContextResult, "ok" | "error" | "lines" | "breakdownCpuBytes" | "decoded"> {
  const kv: KvSizeLine[] = [];
  const rs: RsSizeLine[] = [];
  const iswa: ContextResult["iswa"] = [];
  let compute: ContextResult["compute"] = [];
  const computeExact: ContextResult["computeExact"] = [];
  const p: Record<string, string> = {};
  let sawReserve = false;
  for (const line of lines) {
    const k = parseKvSizeLine(line);
    if (k) kv.push(k);
    const r = parseRsSizeLine(line);
    if (r) rs.push(r);
    const i = ISWA_RE.exec(line);
    if (i) iswa.push({ kind: i[1] as "non-SWA" | "SWA", cells: Number(i[2]) });
    if (/sched_reserve: reserving \.\.\./.test(line)) sawReserve = true;
    const c = COMPUTE_RE.exec(line);
    if (c) {
      // each reserve prints a fresh set; keep the last one
      if (sawReserve) {
        compute = [];
        sawReserve = false;
      }
      compute.push({ backend: c[1], mib: Number(c[2]) });
    }
    const ce = COMPUTE_EXACT_RE.exec(line);
    if (ce) computeExact.push({ backend: ce[1], mib: Number(ce[2]) });
    const pm = PARAM_RE.exec(line);
    if (pm && !(pm[1] in p)) p[pm[1]] = pm[2];
  }
  const params: ContextParamsLog | undefined =
    p.n_ctx === undefined
      ? undefined
      : {
          n_seq_max: Number(p.n_seq_max),
          n_ctx: Number(p.n_ctx),
          n_ctx_seq: Number(p.n_ctx_seq),
          n_batch: Number(p.n_batch),
          n_ubatch: Number(p.n_ubatch),
          flash_attn: p.flash_attn,
          kv_unified: p.kv_unified,
          ...(p.n_rs_seq !== undefined ? { n_rs_seq: Number(p.n_rs_seq) } : {}),
        };
  return { params, kv, iswa, rs, compute, computeExact };
}

/**
 * printf("%.2f", bytes / 2^20) exactly: the quotient is exact in binary, and glibc rounds an exact
 * tie to even (2,228,224 B = 2.125 MiB prints "2.12"; JavaScript's toFixed would say "2.13").
 */
export function mib2(bytes: number | bigint): string {
  const b = BigInt(bytes);
  if (b < 0n) return `-${mib2(-b)}`;
  const den = 1048576n;
  const num = b * 100n;
  let q = num / den;
  const r = num % den;
  if (2n * r > den || (2n * r === den && q % 2n === 1n)) q += 1n;
  const s = q.toString().padStart(3, "0");
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}
