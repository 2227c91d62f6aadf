/**
 * llama.cpp / llama-server log parser (examples: tests/fixtures/ingest/log-formats/llama-cpp/). One state machine covers every
 * historical spelling: the line prefix of a family changed many times, so the matchers look for
 * the distinctive part of a line (`KV buffer size`, `size = … cells`) and keep the prefix only as
 * provenance. It consumes one line at a time (`createLlamaCppParser`) so that a 200 MB log is
 * parsed streamed with flat memory; `parseLlamaCppLog(text)` is the convenience for small texts.
 *
 * Grouping rules (documented in the methodology and tested):
 * - a model load starts at `llama_model_loader: loaded meta data`; it is a `draft` when a line
 *   mentioning a draft model appeared since the previous context, a `dry-run` when
 *   `print_info: no_alloc = 1` or all its buffer lines are `0.00 MiB` (`--fit`), else `main`;
 * - a context starts at `constructing llama_context`, or at a context-parameter line that its
 *   context already has (builds without the constructing line);
 * - cache instances: an iSWA/DSA `creating … KV cache` line, or a buffer / size line after a
 *   cache that is already complete, starts a new one;
 * - compute buffers come in blocks (consecutive lines); the last block with a non-zero size wins
 *   (re-reserve after the first decode, `--fit` dry runs print zeros);
 * - the last memory-breakdown table of a context wins.
 */
import {
  WarningSink,
  mibToBytes,
  normaliseLine,
  runOnStream,
  runOnText,
  type LineParser,
  type ParseWarning,
} from "./common.ts";
import { GiB, MiB } from "../../../src/lib/units.ts";

export type BufferComponent = "model" | "kv" | "rs" | "compute" | "output" | "state";

/** One `<device> <kind> buffer size = X MiB` line. */
export interface BufferLine {
  component: BufferComponent;
  device: string;
  mib: number;
  bytes: number;
  prefix: string;
  line: number;
}

export interface TypedMiB {
  type: string;
  mib: number;
  bytes: number;
}

/** The `size = …` line of one KV cache instance (any historical format). */
export interface KvSizeLine {
  mib: number;
  bytes: number;
  cells?: number;
  layers?: number;
  /** `a/b seqs`: a = n_seq_max, b = n_stream; older formats print only `a seqs` or nothing. */
  nSeqMax?: number;
  nStream?: number;
  k: TypedMiB;
  v?: TypedMiB;
  format: "current" | "seqs-slash" | "seqs" | "cells-layers" | "kv-self-size";
  prefix: string;
  line: number;
}

export interface KvCacheFact {
  /** `full` for a plain cache; iSWA and DSA instances say which part they are. */
  kind: "full" | "non-swa" | "swa" | "dsa-main" | "dsa-indexer" | "dsv4";
  createdCells?: number;
  buffers: BufferLine[];
  size?: KvSizeLine;
  /** Older builds print `kv_size = …, type_k = '…', type_v = '…', n_layer = …`. */
  meta?: { kvSize: number; typeK: string; typeV: string; nLayer: number; line: number };
  line: number;
}

export interface RsSizeLine {
  mib: number;
  bytes: number;
  cells: number;
  layers: number;
  nSeq: number;
  rsSeq?: number;
  r: TypedMiB;
  s: TypedMiB;
  line: number;
}

export interface RsFact {
  buffers: BufferLine[];
  size?: RsSizeLine;
  line: number;
}

export interface BreakdownRow {
  /** `CUDA0`, `MTL0`, `Host`, `CPU_REPACK` … */
  name: string;
  /** The parenthesised device description, e.g. `H100 80GB HBM3`. */
  description?: string;
  kind: "device" | "host";
  totalMiB?: number;
  freeMiB?: number;
  selfMiB: number;
  modelMiB: number;
  contextMiB: number;
  computeMiB: number;
  unaccountedMiB?: number;
  line: number;
}

export interface BreakdownTable {
  rows: BreakdownRow[];
  prefix: string;
  line: number;
}

export interface ContextFact {
  index: number;
  /** Index into `models` of the model this context belongs to (-1 when no load was logged). */
  model: number;
  role: "main" | "draft" | "dry-run";
  params: Record<string, { value: string; line: number }>;
  caches: KvCacheFact[];
  recurrent: RsFact[];
  output: BufferLine[];
  compute: BufferLine[];
  computeBlocks: number;
  /** `Flash Attention was auto, set to enabled` and friends. */
  flashAttnResolved?: { value: string; line: number };
  breakdown?: BreakdownTable;
  zeroBufferLines: number;
  nonZeroBufferLines: number;
  /** Debug-verbosity `llama_kv_cache: layer N: dev = X` / `filtered` lines, counted. */
  kvLayers?: { assigned: number; filtered: number; devices: Record<string, number> };
  /** Identical contexts later in the log (same model, parameters and sizes) folded into this one. */
  repeats: number;
  line: number;
}

export interface ModelLoadFact {
  index: number;
  role: "main" | "draft" | "dry-run";
  /** GGUF key/value dump of `llama_model_loader: - kv N: key type = value` (arrays truncated as printed). */
  gguf: Record<string, { type: string; value: string; line: number }>;
  tensorTypes: Record<string, number>;
  /** `print_info:` / `llm_load_print_meta:` key = value. */
  info: Record<string, { value: string; line: number }>;
  fileSize?: { bytes: number; unit: "GiB" | "MiB"; value: number; bpw?: number; line: number };
  buffers: BufferLine[];
  offloaded?: { layers: number; of: number; line: number };
  loadMode?: string;
  noAlloc?: boolean;
  /** Debug-verbosity `load_tensors: layer N assigned to device X` lines, counted per device. */
  layerDevices?: Record<string, number>;
  /** Identical later loads of the same model folded into this one. */
  repeats: number;
  line: number;
}

export interface DeviceFact {
  /** Backend device name as llama.cpp names it (`CUDA0`, `MTL0`, `Metal`, `Vulkan0`) when known. */
  name?: string;
  description: string;
  backend?: "CUDA" | "Metal" | "ROCm" | "Vulkan" | "CPU" | "SYCL" | "OpenCL";
  freeMiB?: number;
  totalMiB?: number;
  computeCapability?: string;
  line: number;
}

export interface TurboFacts {
  flashAttnForced?: number;
  autoAsymmetric?: {
    from?: string;
    to: string;
    gqaRatio: number;
    nHead?: number;
    nHeadKv?: number;
    reason?: string;
    line: number;
  };
  boundaryV?: { mode?: number; text: string; line: number };
  zeroPadding: { which: string; from: number; to: number; cacheFrom: number; cacheTo: number; line: number }[];
  rotationInit: number;
  temporalDecayLines: number;
  unsupportedType?: { type: string; line: number };
}

export interface LlamaCppFacts {
  tool: "llama.cpp";
  build?: { number: number; commit: string; compiler?: string; target?: string; line: number };
  devices: DeviceFact[];
  systemInfo?: { backends: string[]; text: string; line: number };
  metal?: {
    recommendedMaxWorkingSetMB?: number;
    recommendedMaxWorkingSetBytes?: number;
    unifiedMemory?: boolean;
    gpuName?: string;
    line: number;
  };
  models: ModelLoadFact[];
  contexts: ContextFact[];
  fit?: {
    projectedMiB?: number;
    freeMiB?: number;
    reduced?: { from: number; to: number; line: number };
    line: number;
  };
  turbo: TurboFacts;
  attnRot: { k?: number; v?: number };
  serverSlots?: { nSlots: number; nCtxSlot: number; kvUnified?: boolean; line: number };
  kvNotes: { text: string; line: number }[];
  /** Lines llama.cpp itself logged at level W or E (bounded). */
  logWarnings: { level: string; text: string; line: number }[];
  /** Number of lines that matched a llama.cpp format (0 ⇒ this is not a llama.cpp log). */
  recognisedLines: number;
  lines: number;
  warnings: ParseWarning[];
}

const MAX_LOG_WARNINGS = 100;

// --- matchers -----------------------------------------------------------------------------------

const RE_BUFFER = /([A-Za-z_][\w]*):\s+(\S+)\s+(?:(KV|RS|compute|model|output)\s+)?buffer size\s*=\s*(-?[\d.]+)\s*MiB/;
const RE_DSV4 = /([A-Za-z_]\w*):\s+(\S+)\s+DSV4\s+(\S+)\s+state buffer size\s*=\s*([\d.]+)\s*MiB/;
const RE_KV_SIZE =
  /([A-Za-z_]\w*):\s+size\s*=\s*([\d.]+)\s*MiB\s*\(\s*(\d+)\s*cells,\s*(\d+)\s*layers(?:,\s*(\d+)(?:\s*\/\s*(\d+))?\s*seqs)?\s*\),\s*K\s*\((\w+)\):\s*([\d.]+)\s*MiB(?:,\s*V\s*\((\w+)\):\s*([\d.]+)\s*MiB)?/;
const RE_KV_SELF =
  /([A-Za-z_]\w*):\s+KV self size\s*=\s*([\d.]+)\s*MiB,\s*K\s*\((\w+)\):\s*([\d.]+)\s*MiB(?:,\s*V\s*\((\w+)\):\s*([\d.]+)\s*MiB)?/;
const RE_RS_SIZE =
  /size\s*=\s*([\d.]+)\s*MiB\s*\(\s*(\d+)\s*cells,\s*(\d+)\s*layers,\s*(\d+)\s*seqs(?:\s+(\d+)\s*rs_seq)?\s*\),\s*R\s*\((\w+)\):\s*([\d.]+)\s*MiB,\s*S\s*\((\w+)\):\s*([\d.]+)\s*MiB/;
const RE_KV_META =
  /kv_size\s*=\s*(\d+),(?:\s*offload\s*=\s*\d+,)?\s*type_k\s*=\s*'(\w+)',\s*type_v\s*=\s*'(\w+)',\s*n_layer\s*=\s*(\d+)/;
const RE_CREATING = /creating\s+(non-SWA|SWA|main|indexer)\s+KV cache,\s*size\s*=\s*(\d+)\s*cells/;
const RE_CTX_PARAM =
  /(?:llama_context|llama_new_context_with_model|llama_init_from_model|init):\s+(n_seq_max|n_ctx|n_ctx_seq|n_ctx_per_seq|n_batch|n_ubatch|causal_attn|flash_attn|kv_unified|n_rs_seq|n_outputs_max|freq_base|freq_scale)\s*=\s*(\S+)/;
const RE_FA_RESOLVED = /Flash Attention was auto, set to (\w+)/;
const RE_LOADER_KV = /llama_model_loader:\s+-\s+kv\s+\d+:\s+(\S+)\s+(\S+)\s+=\s?(.*)$/;
const RE_LOADER_TYPE = /llama_model_loader:\s+-\s+type\s+(\w+):\s+(\d+)\s+tensors/;
const RE_INFO = /(?:print_info|llm_load_print_meta):\s+([^=]*?)\s*=\s*(.*?)\s*$/;
const RE_FILE_SIZE = /([\d.]+)\s*(GiB|MiB)(?:\s*\(\s*([\d.]+)\s*BPW\s*\))?/;
const RE_OFFLOADED = /offloaded\s+(\d+)\s*\/\s*(\d+)\s+layers to GPU/;
const RE_LOAD_MODE = /load_mode\s*=\s*(\w+)/;
const RE_BUILD = /\bbuild(?:\s*[:=]\s*|\s+)(\d+)\s+\(([0-9a-f]{6,40})\)(?:\s+with\s+(.+?)\s+for\s+(.+?))?\s*$/;
const RE_CUDA_DEVICE =
  /Device\s+(\d+):\s+(.+?),\s+compute capability\s+([\d.]+)(?:,\s*VMM:\s*\w+)?(?:,\s*VRAM:\s*(\d+)\s*MiB)?/;
const RE_USING_DEVICE = /using device\s+(\S+)\s+\(([^)]*)\)(?:\s+\([^)]*\))?\s+-\s+(\d+)\s*MiB free/;
const RE_METAL_WS = /recommendedMaxWorkingSetSize\s*=\s*([\d.]+)\s*MB/;
const RE_METAL_UNIFIED = /(?:hasUnifiedMemory|has unified memory)\s*=\s*(\w+)/;
const RE_METAL_GPU = /(?:GPU name|found device):\s+(.+?)\s*$/;
const RE_BREAKDOWN_HEAD = /([A-Za-z_]\w*):.*memory breakdown(?:\s*\[MiB\])?/;
const RE_BREAKDOWN_DEV =
  /-\s+(\S+(?:\s+\([^)]*\))?)\s*\|?\s*(\d+)\s*=\s*(\d+)\s*\+\s*\(\s*(\d+)\s*=\s*(\d+)\s*\+\s*(\d+)\s*\+\s*(\d+)\s*\)\s*\+\s*(-?\d+)/;
const RE_BREAKDOWN_HOST = /-\s+(\S+(?:\s+\([^)]*\))?)\s*\|?\s*(\d+)\s*=\s*(\d+)\s*\+\s*(\d+)\s*\+\s*(\d+)\s*\|?\s*$/;
const RE_FIT_PROJECTED = /projected to use\s+(\d+)\s*MiB of device memory vs\.\s*(\d+)\s*MiB of free/;
const RE_FIT_REDUCED = /context size reduced from\s+(\d+)\s+to\s+(\d+)/;
const RE_SLOTS = /n_slots\s*=\s*(\d+),\s*n_ctx_slot\s*=\s*(\d+)(?:,\s*kv_unified\s*=\s*'?(\w+)'?)?/;
const RE_ATTN_ROT = /attn_rot_(k|v)\s*=\s*(-?\d+)/;
const RE_TURBO_ASYM =
  /auto-asymmetric:\s*GQA ratio\s*(\d+):1\s*\(n_head=(\d+),\s*n_head_kv=(\d+)\)\s*\S*\s*upgrading K from\s+(\w+)\s+to\s+(\w+)/;
const RE_TURBO_ASYM2 = /auto-asymmetric:\s*(.+?)\s*\(GQA ratio\s*(\d+):1/;
const RE_TURBO_BOUNDARY = /Boundary V (?:mode\s+(\d+):|auto-enabled)/;
const RE_TURBO_PAD = /turbo zero-padding\s+(K|V)\s+head_dim\s+(\d+)\s*->\s*(\d+)\s*\(cache\s+(\d+)\s*->\s*(\d+)\)/;
const RE_KV_LAYER = /:\s+layer\s+(\d+):\s+(?:dev\s*=\s*(\S+)|filtered)/;
const RE_LAYER_ASSIGNED = /layer\s+(\d+)\s+assigned to device\s+([^,\s]+)/;
const RE_UNSUPPORTED = /Unsupported cache type:\s*(\S+)/;
/** Every token a handler below reacts to (keep in sync when adding a handler). */
const RE_GATE =
  /llama_|buffer size|cells,|KV self|breakdown|init:|print_info:|llm_load_|kv_size|creating|attn_rot_|recommendedMax|nified memory|UnifiedMemory|n_slots|build|compute capability|using device|GPU name|found device|system_info|assigned to device|offloaded|load_mode|Flash Attention|projected to use|context size reduced|[tT]urbo|auto-asymmetric|Boundary V|temporal decay|Unsupported cache type|V cache|V embeddings|expectation|[dD]raft|MiB| MB/;
/** Lines that name a memory quantity; one that matches no format above becomes a warning. */
const RE_RELEVANT =
  /buffer size|KV self size|size\s*=\s*[\d.]+\s*MiB\s*\(|memory breakdown|^\s*\|?\s*-\s+\S+.*\d+\s*=\s*\d+\s*\+|recommendedMaxWorkingSetSize/;

function backendOf(name: string): DeviceFact["backend"] {
  if (/^CUDA/i.test(name)) return "CUDA";
  if (/^(MTL|Metal)/i.test(name)) return "Metal";
  if (/^ROCm/i.test(name)) return "ROCm";
  if (/^Vulkan/i.test(name)) return "Vulkan";
  if (/^SYCL/i.test(name)) return "SYCL";
  if (/^OpenCL/i.test(name)) return "OpenCL";
  if (/^CPU/i.test(name)) return "CPU";
  return undefined;
}

function typed(type: string, mib: string): TypedMiB {
  const v = Number(mib);
  return { type, mib: v, bytes: mibToBytes(v) };
}

/** Create a line-at-a-time llama.cpp log parser. */
export function createLlamaCppParser(): LineParser<LlamaCppFacts> {
  const warnings = new WarningSink();
  const facts: LlamaCppFacts = {
    tool: "llama.cpp",
    devices: [],
    models: [],
    contexts: [],
    turbo: { zeroPadding: [], rotationInit: 0, temporalDecayLines: 0 },
    attnRot: {},
    kvNotes: [],
    logWarnings: [],
    recognisedLines: 0,
    lines: 0,
    warnings: [],
  };
  let model: ModelLoadFact | undefined;
  let ctx: ContextFact | undefined;
  let computeBlock: BufferLine[] | undefined;
  let draftHint = false;
  let breakdownOpen: BreakdownTable | undefined;

  // A long log can repeat the same session many times (server restarts, reloads): identical
  // contexts and model loads are folded, so memory grows with distinct facts only. "Identical" =
  // the same recognised lines (timestamps stripped) — cheap to compare, no object serialisation.
  // keyed by the model's signature (one cached string per model load, so its hash is computed
  // once), then by the context's own lines: no concatenated key to flatten and hash per context
  const ctxSigs = new Map<string, Map<string, ContextFact>>();
  const modelSigs = new Map<string, number>();
  const modelText = new WeakMap<ModelLoadFact, string[]>();
  const sigCache = new WeakMap<ModelLoadFact, string>();
  let ctxText: string[] = [];
  let lastCtx: { mSig: string; sig: string; fact: ContextFact } | undefined;
  let lastModel: { sig: string; index: number } | undefined;
  /** Set by handlers of process-level lines (build, devices, system info): not part of a session's signature. */
  let runLevelLine = false;
  const modelSig = (m: ModelLoadFact | undefined): string => {
    if (!m) return "";
    let sig = sigCache.get(m);
    if (sig === undefined) {
      sig = [m.role, ...(modelText.get(m) ?? [])].join("\n");
      sigCache.set(m, sig);
    }
    return sig;
  };
  const closeContext = (): void => {
    const c = ctx;
    if (!c || facts.contexts[facts.contexts.length - 1] !== c) return;
    const mSig = modelSig(facts.models[c.model]);
    const sig = ctxText.join("\n");
    ctxText = [];
    // a restarted session repeats the one before it: comparing with that first (a memcmp) spares
    // hashing both long keys
    let prev = lastCtx && lastCtx.mSig === mSig && lastCtx.sig === sig ? lastCtx.fact : undefined;
    if (!prev) {
      let byModel = ctxSigs.get(mSig);
      if (!byModel) ctxSigs.set(mSig, (byModel = new Map()));
      prev = byModel.get(sig);
      if (!prev) byModel.set(sig, c);
    }
    if (prev) {
      facts.contexts.pop();
      prev.repeats++;
    }
    lastCtx = { mSig, sig, fact: prev ?? c };
  };
  const newContext = (line: number): ContextFact => {
    closeContext();
    const c: ContextFact = {
      index: facts.contexts.length,
      model: model ? model.index : -1,
      role: model ? model.role : "main",
      params: {},
      caches: [],
      recurrent: [],
      output: [],
      compute: [],
      computeBlocks: 0,
      zeroBufferLines: 0,
      nonZeroBufferLines: 0,
      repeats: 0,
      line,
    };
    facts.contexts.push(c);
    ctx = c;
    draftHint = false;
    return c;
  };
  const context = (line: number): ContextFact => ctx ?? newContext(line);

  const closeCompute = (): void => {
    if (!computeBlock) return;
    const block = computeBlock;
    computeBlock = undefined;
    if (block.some((b) => b.bytes > 0)) {
      const c = context(block[0].line);
      c.compute = block;
      c.computeBlocks++;
    }
  };

  const lastCache = (c: ContextFact): KvCacheFact | undefined => c.caches[c.caches.length - 1];
  const openCache = (c: ContextFact, line: number, kind: KvCacheFact["kind"] = "full"): KvCacheFact => {
    const k: KvCacheFact = { kind, buffers: [], line };
    c.caches.push(k);
    return k;
  };
  /** The cache a buffer/size/meta line belongs to: the last one unless it is already complete. */
  const cacheFor = (c: ContextFact, line: number, what: "buffer" | "size" | "meta"): KvCacheFact => {
    const k = lastCache(c);
    if (!k || k.size) return openCache(c, line, k && k.kind !== "full" ? inheritKind(k.kind) : "full");
    if (what === "meta" && (k.meta || k.buffers.length)) return openCache(c, line);
    return k;
  };
  const inheritKind = (kind: KvCacheFact["kind"]): KvCacheFact["kind"] => (kind === "dsv4" ? "dsv4" : "full");

  const handleBuffer = (t: string, n: number): boolean => {
    let m = RE_BUFFER.exec(t);
    let component: BufferComponent;
    let device: string;
    let mibStr: string;
    let prefix: string;
    if (m) {
      prefix = m[1];
      device = m[2];
      mibStr = m[4];
      const kind = m[3];
      if (kind === "KV") component = "kv";
      else if (kind === "RS") component = "rs";
      else if (kind === "compute") component = "compute";
      else if (kind === "output") component = "output";
      else if (kind === "model") component = "model";
      else if (/load_tensors/.test(prefix)) component = "model";
      else return false;
    } else {
      m = RE_DSV4.exec(t);
      if (!m) return false;
      prefix = m[1];
      device = m[2];
      mibStr = m[4];
      component = "state";
    }
    const mib = Number(mibStr);
    if (!Number.isFinite(mib) || mib < 0) {
      warnings.add(n, t, `buffer size "${mibStr}" is not a non-negative number of MiB`);
      return true;
    }
    const b: BufferLine = { component, device, mib, bytes: mibToBytes(mib), prefix, line: n };
    if (component === "model") {
      if (!model) model = newModel(n);
      if (mib === 0) {
        modelZeroLines++;
        return true;
      }
      model.buffers.push(b);
      return true;
    }
    const c = context(n);
    if (mib === 0) {
      c.zeroBufferLines++;
      if (component !== "compute") return true;
    } else c.nonZeroBufferLines++;
    switch (component) {
      case "kv":
        cacheFor(c, n, "buffer").buffers.push(b);
        break;
      case "state": {
        const k = lastCache(c);
        const target = k && k.kind === "dsv4" && !k.size ? k : openCache(c, n, "dsv4");
        target.buffers.push(b);
        break;
      }
      case "rs": {
        const r = c.recurrent[c.recurrent.length - 1];
        if (!r || r.size) c.recurrent.push({ buffers: [b], line: n });
        else r.buffers.push(b);
        break;
      }
      case "output": {
        const i = c.output.findIndex((o) => o.device === b.device);
        if (i >= 0) c.output[i] = b;
        else c.output.push(b);
        break;
      }
      case "compute":
        if (!computeBlock) computeBlock = [];
        computeBlock.push(b);
        return true;
    }
    return true;
  };

  let modelZeroLines = 0;
  const newModel = (line: number): ModelLoadFact => {
    closeContext();
    finishModel();
    const m: ModelLoadFact = {
      index: facts.models.length,
      role: draftHint && facts.models.some((x) => x.role === "main") ? "draft" : "main",
      gguf: {},
      tensorTypes: {},
      info: {},
      buffers: [],
      repeats: 0,
      line,
    };
    facts.models.push(m);
    modelText.set(m, []);
    model = m;
    ctx = undefined;
    draftHint = false;
    modelZeroLines = 0;
    return m;
  };
  const finishModel = (): void => {
    const m = model;
    if (!m) return;
    if (m.noAlloc || (modelZeroLines > 0 && m.buffers.length === 0)) {
      m.role = "dry-run";
      sigCache.delete(m); // the role changed since a context asked
    }
    if (facts.models[facts.models.length - 1] !== m) return;
    const sig = modelSig(m);
    const prev = lastModel && lastModel.sig === sig ? lastModel.index : modelSigs.get(sig);
    if (prev === undefined) {
      modelSigs.set(sig, m.index);
      lastModel = { sig, index: m.index };
      return;
    }
    lastModel = { sig, index: prev };
    facts.models.pop();
    facts.models[prev].repeats++;
    // its contexts were compared by model signature when they closed: only re-point them
    for (const c of facts.contexts) if (c.model === m.index) c.model = prev;
    model = facts.models[prev];
  };

  const handleSizeLine = (t: string, n: number): boolean => {
    if (t.includes(" R (")) {
      const m = RE_RS_SIZE.exec(t);
      if (!m) return false;
      const c = context(n);
      const size: RsSizeLine = {
        mib: Number(m[1]),
        bytes: mibToBytes(Number(m[1])),
        cells: Number(m[2]),
        layers: Number(m[3]),
        nSeq: Number(m[4]),
        rsSeq: m[5] === undefined ? undefined : Number(m[5]),
        r: typed(m[6], m[7]),
        s: typed(m[8], m[9]),
        line: n,
      };
      const r = c.recurrent[c.recurrent.length - 1];
      if (!r || r.size) c.recurrent.push({ buffers: [], size, line: n });
      else r.size = size;
      return true;
    }
    const m = RE_KV_SIZE.exec(t);
    if (!m) return false;
    const c = context(n);
    const format: KvSizeLine["format"] = m[5] === undefined ? "cells-layers" : m[6] === undefined ? "seqs" : "current";
    const size: KvSizeLine = {
      mib: Number(m[2]),
      bytes: mibToBytes(Number(m[2])),
      cells: Number(m[3]),
      layers: Number(m[4]),
      nSeqMax: m[5] === undefined ? undefined : Number(m[5]),
      nStream: m[6] === undefined ? undefined : Number(m[6]),
      k: typed(m[7], m[8]),
      v: m[9] === undefined ? undefined : typed(m[9], m[10]),
      format,
      prefix: m[1],
      line: n,
    };
    if (size.mib === 0) return true;
    cacheFor(c, n, "size").size = size;
    return true;
  };

  const handleKvSelf = (t: string, n: number): boolean => {
    const m = RE_KV_SELF.exec(t);
    if (!m) return false;
    const c = context(n);
    const size: KvSizeLine = {
      mib: Number(m[2]),
      bytes: mibToBytes(Number(m[2])),
      k: typed(m[3], m[4]),
      v: m[5] === undefined ? undefined : typed(m[5], m[6]),
      format: "kv-self-size",
      prefix: m[1],
      line: n,
    };
    if (size.mib === 0) return true;
    const k = cacheFor(c, n, "size");
    k.size = size;
    if (k.meta) {
      size.cells = k.meta.kvSize;
      size.layers = k.meta.nLayer;
    }
    return true;
  };

  const handleBreakdown = (t: string, n: number): boolean => {
    if (/memory breakdown/.test(t)) {
      const h = RE_BREAKDOWN_HEAD.exec(t);
      breakdownOpen = { rows: [], prefix: h ? h[1] : "", line: n };
      context(n).breakdown = breakdownOpen;
      return true;
    }
    if (!breakdownOpen) return false;
    let m = RE_BREAKDOWN_DEV.exec(t);
    if (m) {
      const { name, description } = splitDeviceName(m[1]);
      breakdownOpen.rows.push({
        name,
        description,
        kind: "device",
        totalMiB: Number(m[2]),
        freeMiB: Number(m[3]),
        selfMiB: Number(m[4]),
        modelMiB: Number(m[5]),
        contextMiB: Number(m[6]),
        computeMiB: Number(m[7]),
        unaccountedMiB: Number(m[8]),
        line: n,
      });
      return true;
    }
    m = RE_BREAKDOWN_HOST.exec(t);
    if (m) {
      const { name, description } = splitDeviceName(m[1]);
      breakdownOpen.rows.push({
        name,
        description,
        kind: "host",
        selfMiB: Number(m[2]),
        modelMiB: Number(m[3]),
        contextMiB: Number(m[4]),
        computeMiB: Number(m[5]),
        line: n,
      });
      return true;
    }
    return false;
  };

  const handleLoader = (t: string, n: number): boolean => {
    let m: RegExpExecArray | null;
    if (t.includes("llama_model_loader:")) {
      if (t.includes("loaded meta data")) {
        newModel(n);
        return true;
      }
      m = RE_LOADER_KV.exec(t);
      if (m) {
        const md = model ?? newModel(n);
        md.gguf[m[1]] = { type: m[2], value: m[3].trim().slice(0, 200), line: n };
        return true;
      }
      m = RE_LOADER_TYPE.exec(t);
      if (m) {
        const md = model ?? newModel(n);
        md.tensorTypes[m[1]] = Number(m[2]);
        return true;
      }
      return t.includes("Dumping metadata");
    }
    return false;
  };

  const handleInfo = (t: string, n: number): boolean => {
    const m = RE_INFO.exec(t);
    if (!m) return false;
    const md = model ?? newModel(n);
    const key = m[1].trim();
    md.info[key] = { value: m[2], line: n };
    if (key === "file size" || key === "model size") {
      const s = RE_FILE_SIZE.exec(m[2]);
      if (s) {
        const unit = s[2] as "GiB" | "MiB";
        md.fileSize = {
          value: Number(s[1]),
          unit,
          bytes: Math.round(Number(s[1]) * (unit === "GiB" ? GiB : MiB)),
          bpw: s[3] === undefined ? undefined : Number(s[3]),
          line: n,
        };
      } else warnings.add(n, t, "model file size line does not read as '<n> GiB (<bpw> BPW)'");
    }
    if (key === "no_alloc") md.noAlloc = m[2] === "1" || m[2] === "true";
    return true;
  };

  const handleKeyValue = (t: string, n: number): boolean => {
    let m =
      t.includes("llama_context:") ||
      t.includes("llama_new_context_with_model:") ||
      t.includes("llama_init_from_model:") ||
      t.includes("init:")
        ? RE_CTX_PARAM.exec(t)
        : null;
    if (m) {
      const key = m[1] === "n_ctx_per_seq" ? "n_ctx_seq" : m[1];
      let c = ctx;
      if (!c || c.params[key] || c.caches.length || c.compute.length) c = newContext(n);
      c.params[key] = { value: m[2], line: n };
      return true;
    }
    if (t.includes("print_info:") || t.includes("llm_load_print_meta:")) return handleInfo(t, n);
    m = t.includes("kv_size") ? RE_KV_META.exec(t) : null;
    if (m) {
      const c = context(n);
      cacheFor(c, n, "meta").meta = {
        kvSize: Number(m[1]),
        typeK: m[2],
        typeV: m[3],
        nLayer: Number(m[4]),
        line: n,
      };
      return true;
    }
    m = t.includes("creating") ? RE_CREATING.exec(t) : null;
    if (m) {
      const c = context(n);
      const kind =
        m[1] === "non-SWA" ? "non-swa" : m[1] === "SWA" ? "swa" : m[1] === "main" ? "dsa-main" : "dsa-indexer";
      const k = openCache(c, n, kind);
      k.createdCells = Number(m[2]);
      return true;
    }
    m = t.includes("attn_rot_") ? RE_ATTN_ROT.exec(t) : null;
    if (m) {
      if (m[1] === "k") facts.attnRot.k = Number(m[2]);
      else facts.attnRot.v = Number(m[2]);
      return true;
    }
    m = t.includes("recommendedMaxWorkingSetSize") ? RE_METAL_WS.exec(t) : null;
    if (m) {
      const mb = Number(m[1]);
      runLevelLine = true;
      facts.metal = {
        ...facts.metal,
        recommendedMaxWorkingSetMB: mb,
        recommendedMaxWorkingSetBytes: Math.round(mb * 1e6),
        line: n,
      };
      return true;
    }
    m = t.includes("nified memory") || t.includes("UnifiedMemory") ? RE_METAL_UNIFIED.exec(t) : null;
    if (m) {
      runLevelLine = true;
      facts.metal = { ...facts.metal, unifiedMemory: m[1] === "true", line: facts.metal?.line ?? n };
      return true;
    }
    m = t.includes("n_slots") ? RE_SLOTS.exec(t) : null;
    if (m) {
      facts.serverSlots = {
        nSlots: Number(m[1]),
        nCtxSlot: Number(m[2]),
        kvUnified: m[3] === undefined ? undefined : m[3] === "true",
        line: n,
      };
      return true;
    }
    return false;
  };

  const handleOther = (t: string, n: number): boolean => {
    let m: RegExpExecArray | null;
    if (t.includes("constructing llama_context")) {
      newContext(n);
      return true;
    }
    if (t.includes("build")) {
      m = RE_BUILD.exec(t);
      if (m) {
        runLevelLine = true;
        if (!facts.build)
          facts.build = {
            number: Number(m[1]),
            commit: m[2],
            compiler: m[3],
            target: m[4],
            line: n,
          };
        return true;
      }
    }
    if (t.includes("compute capability")) {
      m = RE_CUDA_DEVICE.exec(t);
      if (m) {
        runLevelLine = true;
        facts.devices.push({
          name: `CUDA${m[1]}`,
          description: m[2],
          backend: "CUDA",
          computeCapability: m[3],
          totalMiB: m[4] === undefined ? undefined : Number(m[4]),
          line: n,
        });
        return true;
      }
    }
    if (t.includes("using device")) {
      m = RE_USING_DEVICE.exec(t);
      if (m) {
        runLevelLine = true;
        const existing = facts.devices.find(
          (d) => d.name === m![1] || (d.description === m![2] && d.backend === backendOf(m![1])),
        );
        if (existing) {
          existing.name = m[1];
          existing.freeMiB = Number(m[3]);
        } else
          facts.devices.push({
            name: m[1],
            description: m[2],
            backend: backendOf(m[1]),
            freeMiB: Number(m[3]),
            line: n,
          });
        return true;
      }
    }
    if (t.includes("GPU name") || t.includes("found device:")) {
      m = RE_METAL_GPU.exec(t);
      if (m && /metal/i.test(t)) {
        runLevelLine = true;
        facts.metal = { ...facts.metal, gpuName: m[1], line: facts.metal?.line ?? n };
        return true;
      }
    }
    if (t.startsWith("system_info:") || t.includes(" system_info:")) {
      const backends = [...t.matchAll(/\b(CUDA|Metal|MTL|ROCm|HIP|Vulkan|SYCL|BLAS|CPU)\s*:/g)].map((x) => x[1]);
      facts.systemInfo = { backends: [...new Set(backends)], text: t, line: n };
      runLevelLine = true;
      return true;
    }
    m = t.includes("layer") && t.includes("llama_kv_cache") ? RE_KV_LAYER.exec(t) : null;
    if (m) {
      const c = context(n);
      const kl = (c.kvLayers ??= { assigned: 0, filtered: 0, devices: {} });
      if (m[2] === undefined) kl.filtered++;
      else {
        kl.assigned++;
        kl.devices[m[2]] = (kl.devices[m[2]] ?? 0) + 1;
      }
      return true;
    }
    if (t.includes("assigned to device")) {
      m = RE_LAYER_ASSIGNED.exec(t);
      if (m) {
        const md = model ?? newModel(n);
        const d = (md.layerDevices ??= {});
        d[m[2]] = (d[m[2]] ?? 0) + 1;
        return true;
      }
    }
    if (t.includes("offloaded")) {
      m = RE_OFFLOADED.exec(t);
      if (m) {
        (model ?? newModel(n)).offloaded = { layers: Number(m[1]), of: Number(m[2]), line: n };
        return true;
      }
    }
    if (t.includes("load_mode")) {
      m = RE_LOAD_MODE.exec(t);
      if (m) {
        (model ?? newModel(n)).loadMode = m[1];
        return true;
      }
    }
    if (t.includes("Flash Attention was auto")) {
      m = RE_FA_RESOLVED.exec(t);
      if (m) {
        context(n).flashAttnResolved = { value: m[1], line: n };
        return true;
      }
    }
    if (t.includes("projected to use")) {
      m = RE_FIT_PROJECTED.exec(t);
      if (m) {
        facts.fit = { ...facts.fit, projectedMiB: Number(m[1]), freeMiB: Number(m[2]), line: n };
        return true;
      }
    }
    if (t.includes("context size reduced")) {
      m = RE_FIT_REDUCED.exec(t);
      if (m) {
        facts.fit = {
          ...facts.fit,
          reduced: { from: Number(m[1]), to: Number(m[2]), line: n },
          line: facts.fit?.line ?? n,
        };
        return true;
      }
    }
    if (t.includes("turbo") || t.includes("Turbo") || t.includes("auto-asymmetric") || t.includes("Boundary V")) {
      if (t.includes("turbo cache types require flash_attn")) {
        facts.turbo.flashAttnForced = n;
        return true;
      }
      m = RE_TURBO_ASYM.exec(t);
      if (m) {
        facts.turbo.autoAsymmetric = {
          gqaRatio: Number(m[1]),
          nHead: Number(m[2]),
          nHeadKv: Number(m[3]),
          from: m[4],
          to: m[5],
          line: n,
        };
        return true;
      }
      m = RE_TURBO_ASYM2.exec(t);
      if (m) {
        facts.turbo.autoAsymmetric = { reason: m[1], gqaRatio: Number(m[2]), to: "q8_0", line: n };
        return true;
      }
      m = RE_TURBO_BOUNDARY.exec(t);
      if (m) {
        if (!facts.turbo.boundaryV || m[1] !== undefined)
          facts.turbo.boundaryV = { mode: m[1] === undefined ? 7 : Number(m[1]), text: t, line: n };
        return true;
      }
      m = RE_TURBO_PAD.exec(t);
      if (m) {
        facts.turbo.zeroPadding.push({
          which: m[1],
          from: Number(m[2]),
          to: Number(m[3]),
          cacheFrom: Number(m[4]),
          cacheTo: Number(m[5]),
          line: n,
        });
        return true;
      }
      if (t.includes("TurboQuant rotation matrices initialized")) {
        facts.turbo.rotationInit++;
        return true;
      }
    }
    if (t.includes("temporal decay applied")) {
      facts.turbo.temporalDecayLines++;
      return true;
    }
    if (t.includes("Unsupported cache type")) {
      m = RE_UNSUPPORTED.exec(t);
      if (m) {
        facts.turbo.unsupportedType = { type: m[1], line: n };
        return true;
      }
    }
    if (
      t.includes("padding V cache") ||
      t.includes("quantized V cache was requested") ||
      t.includes("V embeddings have different sizes")
    ) {
      facts.kvNotes.push({ text: t.trim(), line: n });
      return true;
    }
    if (t.includes("draft") || t.includes("Draft")) draftHint = true;
    return false;
  };

  return {
    push(raw: string, n: number): void {
      facts.lines = n;
      const { text: t, level } = normaliseLine(raw);
      if (t.length === 0) return;
      const isCompute = t.includes("compute buffer size") && !t.includes("expectation");
      if (computeBlock && !isCompute) closeCompute();
      if (breakdownOpen && !t.includes("breakdown")) breakdownOpen = undefined;
      if ((level === "W" || level === "E") && facts.logWarnings.length < MAX_LOG_WARNINGS)
        facts.logWarnings.push({ level, text: t.length > 300 ? `${t.slice(0, 300)}…` : t, line: n });
      // one scan decides whether any handler could care: request/slot lines of a long server log stop here
      if (!RE_GATE.test(t)) return;
      let ok = false;
      // the two most frequent families first, by their prefix
      if (t.startsWith("print_info:") || t.startsWith("llm_load_print_meta:")) ok = handleInfo(t, n);
      else if (t.includes("llama_model_loader:")) ok = handleLoader(t, n);
      else if (t.includes("expectation") && t.includes("buffer size")) {
        // destructor check (`~llama_context: … compute buffer size is X MiB, matches / does not match expectation of Y MiB`)
        if (t.includes("does not match")) facts.kvNotes.push({ text: t.trim(), line: n });
        ok = true;
      } else if (t.includes("buffer size")) ok = handleBuffer(t, n);
      else if (t.includes("cells,")) ok = handleSizeLine(t, n);
      else if (t.includes("KV self size")) ok = handleKvSelf(t, n);
      else if (t.includes("breakdown")) ok = handleBreakdown(t, n);
      if (!ok && t.includes("=")) ok = handleKeyValue(t, n);
      if (!ok) ok = handleOther(t, n);
      if (ok) {
        facts.recognisedLines++;
        if (runLevelLine) runLevelLine = false;
        else if (ctx) ctxText.push(t);
        else if (model) modelText.get(model)?.push(t);
      } else if ((t.includes("MiB") || t.includes("breakdown") || t.includes(" MB")) && RE_RELEVANT.test(t))
        warnings.add(n, t, "looks like a llama.cpp memory line but matches no known format");
    },
    finish(): LlamaCppFacts {
      closeCompute();
      closeContext();
      finishModel();
      for (const c of facts.contexts) {
        const m = c.model >= 0 ? facts.models[c.model] : undefined;
        if (m) c.role = m.role;
        if (c.role !== "draft" && c.zeroBufferLines > 0 && c.nonZeroBufferLines === 0) c.role = "dry-run";
      }
      facts.warnings = warnings.list();
      return facts;
    },
  };
}

function splitDeviceName(s: string): { name: string; description?: string } {
  const m = /^(\S+)(?:\s+\((.*)\))?\s*$/.exec(s.trim());
  if (!m) return { name: s.trim() };
  return { name: m[1], description: m[2] };
}

/** Parse a whole llama.cpp log held in memory. */
export function parseLlamaCppLog(text: string): LlamaCppFacts {
  return runOnText(createLlamaCppParser(), text);
}

/** Parse a llama.cpp log from a byte stream (file, stdin) with bounded memory. */
export async function parseLlamaCppStream(
  stream: AsyncIterable<Buffer | string>,
): Promise<LlamaCppFacts & { bytes: number }> {
  const r = await runOnStream(createLlamaCppParser(), stream);
  return { ...r.facts, bytes: r.bytes };
}

/** The contexts that describe the measured model (not drafts, not `--fit` dry runs). */
export function mainContexts(f: LlamaCppFacts): ContextFact[] {
  return f.contexts.filter(
    (c) => c.role === "main" && (c.caches.length > 0 || c.recurrent.length > 0 || c.compute.length > 0),
  );
}

/** The model load a context belongs to, or the last main model load. */
export function modelOf(f: LlamaCppFacts, c?: ContextFact): ModelLoadFact | undefined {
  if (c && c.model >= 0) return f.models[c.model];
  return [...f.models].reverse().find((m) => m.role === "main");
}
