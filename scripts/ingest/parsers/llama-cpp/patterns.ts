/** The llama.cpp log parser's matchers and small pure helpers. */
import type { TypedMiB, DeviceFact } from "./types.ts";
import { mibToBytes } from "../common.ts";

export const MAX_LOG_WARNINGS = 100;

// --- matchers -----------------------------------------------------------------------------------

export const RE_BUFFER =
  /([A-Za-z_][\w]*):\s+(\S+)\s+(?:(KV|RS|compute|model|output)\s+)?buffer size\s*=\s*(-?[\d.]+)\s*MiB/;
export const RE_DSV4 = /([A-Za-z_]\w*):\s+(\S+)\s+DSV4\s+(\S+)\s+state buffer size\s*=\s*([\d.]+)\s*MiB/;
export const RE_KV_SIZE =
  /([A-Za-z_]\w*):\s+size\s*=\s*([\d.]+)\s*MiB\s*\(\s*(\d+)\s*cells,\s*(\d+)\s*layers(?:,\s*(\d+)(?:\s*\/\s*(\d+))?\s*seqs)?\s*\),\s*K\s*\((\w+)\):\s*([\d.]+)\s*MiB(?:,\s*V\s*\((\w+)\):\s*([\d.]+)\s*MiB)?/;
export const RE_KV_SELF =
  /([A-Za-z_]\w*):\s+KV self size\s*=\s*([\d.]+)\s*MiB,\s*K\s*\((\w+)\):\s*([\d.]+)\s*MiB(?:,\s*V\s*\((\w+)\):\s*([\d.]+)\s*MiB)?/;
export const RE_RS_SIZE =
  /size\s*=\s*([\d.]+)\s*MiB\s*\(\s*(\d+)\s*cells,\s*(\d+)\s*layers,\s*(\d+)\s*seqs(?:\s+(\d+)\s*rs_seq)?\s*\),\s*R\s*\((\w+)\):\s*([\d.]+)\s*MiB,\s*S\s*\((\w+)\):\s*([\d.]+)\s*MiB/;
export const RE_KV_META =
  /kv_size\s*=\s*(\d+),(?:\s*offload\s*=\s*\d+,)?\s*type_k\s*=\s*'(\w+)',\s*type_v\s*=\s*'(\w+)',\s*n_layer\s*=\s*(\d+)/;
export const RE_CREATING = /creating\s+(non-SWA|SWA|main|indexer)\s+KV cache,\s*size\s*=\s*(\d+)\s*cells/;
export const RE_CTX_PARAM =
  /(?:llama_context|llama_new_context_with_model|llama_init_from_model|init):\s+(n_seq_max|n_ctx|n_ctx_seq|n_ctx_per_seq|n_batch|n_ubatch|causal_attn|flash_attn|kv_unified|n_rs_seq|n_outputs_max|freq_base|freq_scale)\s*=\s*(\S+)/;
export const RE_FA_RESOLVED = /Flash Attention was auto, set to (\w+)/;
export const RE_LOADER_KV = /llama_model_loader:\s+-\s+kv\s+\d+:\s+(\S+)\s+(\S+)\s+=\s?(.*)$/;
export const RE_LOADER_TYPE = /llama_model_loader:\s+-\s+type\s+(\w+):\s+(\d+)\s+tensors/;
export const RE_INFO = /(?:print_info|llm_load_print_meta):\s+([^=]*?)\s*=\s*(.*?)\s*$/;
export const RE_FILE_SIZE = /([\d.]+)\s*(GiB|MiB)(?:\s*\(\s*([\d.]+)\s*BPW\s*\))?/;
export const RE_OFFLOADED = /offloaded\s+(\d+)\s*\/\s*(\d+)\s+layers to GPU/;
export const RE_LOAD_MODE = /load_mode\s*=\s*(\w+)/;
export const RE_BUILD = /\bbuild(?:\s*[:=]\s*|\s+)(\d+)\s+\(([0-9a-f]{6,40})\)(?:\s+with\s+(.+?)\s+for\s+(.+?))?\s*$/;
export const RE_CUDA_DEVICE =
  /Device\s+(\d+):\s+(.+?),\s+compute capability\s+([\d.]+)(?:,\s*VMM:\s*\w+)?(?:,\s*VRAM:\s*(\d+)\s*MiB)?/;
export const RE_USING_DEVICE = /using device\s+(\S+)\s+\(([^)]*)\)(?:\s+\([^)]*\))?\s+-\s+(\d+)\s*MiB free/;
export const RE_METAL_WS = /recommendedMaxWorkingSetSize\s*=\s*([\d.]+)\s*MB/;
export const RE_METAL_UNIFIED = /(?:hasUnifiedMemory|has unified memory)\s*=\s*(\w+)/;
export const RE_METAL_GPU = /(?:GPU name|found device):\s+(.+?)\s*$/;
export const RE_BREAKDOWN_HEAD = /([A-Za-z_]\w*):.*memory breakdown(?:\s*\[MiB\])?/;
export const RE_BREAKDOWN_DEV =
  /-\s+(\S+(?:\s+\([^)]*\))?)\s*\|?\s*(\d+)\s*=\s*(\d+)\s*\+\s*\(\s*(\d+)\s*=\s*(\d+)\s*\+\s*(\d+)\s*\+\s*(\d+)\s*\)\s*\+\s*(-?\d+)/;
export const RE_BREAKDOWN_HOST =
  /-\s+(\S+(?:\s+\([^)]*\))?)\s*\|?\s*(\d+)\s*=\s*(\d+)\s*\+\s*(\d+)\s*\+\s*(\d+)\s*\|?\s*$/;
export const RE_FIT_PROJECTED = /projected to use\s+(\d+)\s*MiB of device memory vs\.\s*(\d+)\s*MiB of free/;
export const RE_FIT_REDUCED = /context size reduced from\s+(\d+)\s+to\s+(\d+)/;
export const RE_SLOTS = /n_slots\s*=\s*(\d+),\s*n_ctx_slot\s*=\s*(\d+)(?:,\s*kv_unified\s*=\s*'?(\w+)'?)?/;
export const RE_ATTN_ROT = /attn_rot_(k|v)\s*=\s*(-?\d+)/;
export const RE_TURBO_ASYM =
  /auto-asymmetric:\s*GQA ratio\s*(\d+):1\s*\(n_head=(\d+),\s*n_head_kv=(\d+)\)\s*\S*\s*upgrading K from\s+(\w+)\s+to\s+(\w+)/;
export const RE_TURBO_ASYM2 = /auto-asymmetric:\s*(.+?)\s*\(GQA ratio\s*(\d+):1/;
export const RE_TURBO_BOUNDARY = /Boundary V (?:mode\s+(\d+):|auto-enabled)/;
export const RE_TURBO_PAD =
  /turbo zero-padding\s+(K|V)\s+head_dim\s+(\d+)\s*->\s*(\d+)\s*\(cache\s+(\d+)\s*->\s*(\d+)\)/;
export const RE_KV_LAYER = /:\s+layer\s+(\d+):\s+(?:dev\s*=\s*(\S+)|filtered)/;
export const RE_LAYER_ASSIGNED = /layer\s+(\d+)\s+assigned to device\s+([^,\s]+)/;
export const RE_UNSUPPORTED = /Unsupported cache type:\s*(\S+)/;
/** Every token a handler below reacts to (keep in sync when adding a handler). */
export const RE_GATE =
  /llama_|buffer size|cells,|KV self|breakdown|init:|print_info:|llm_load_|kv_size|creating|attn_rot_|recommendedMax|nified memory|UnifiedMemory|n_slots|build|compute capability|using device|GPU name|found device|system_info|assigned to device|offloaded|load_mode|Flash Attention|projected to use|context size reduced|[tT]urbo|auto-asymmetric|Boundary V|temporal decay|Unsupported cache type|V cache|V embeddings|expectation|[dD]raft|MiB| MB/;
/** Lines that name a memory quantity; one that matches no format above becomes a warning. */
export const RE_RELEVANT =
  /buffer size|KV self size|size\s*=\s*[\d.]+\s*MiB\s*\(|memory breakdown|^\s*\|?\s*-\s+\S+.*\d+\s*=\s*\d+\s*\+|recommendedMaxWorkingSetSize/;

export function backendOf(name: string): DeviceFact["backend"] {
  if (/^CUDA/i.test(name)) return "CUDA";
  if (/^(MTL|Metal)/i.test(name)) return "Metal";
  if (/^ROCm/i.test(name)) return "ROCm";
  if (/^Vulkan/i.test(name)) return "Vulkan";
  if (/^SYCL/i.test(name)) return "SYCL";
  if (/^OpenCL/i.test(name)) return "OpenCL";
  if (/^CPU/i.test(name)) return "CPU";
  return undefined;
}

export function typed(type: string, mib: string): TypedMiB {
  const v = Number(mib);
  return { type, mib: v, bytes: mibToBytes(v) };
}

export function splitDeviceName(s: string): { name: string; description?: string } {
  const m = /^(\S+)(?:\s+\((.*)\))?\s*$/.exec(s.trim());
  if (!m) return { name: s.trim() };
  return { name: m[1], description: m[2] };
}
