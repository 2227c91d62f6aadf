/** What the llama.cpp log parser extracts (llama-cpp.ts). */
import type { ParseWarning } from "../common.ts";

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
