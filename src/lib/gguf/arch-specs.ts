import type { RecurrentFamily } from "../../schemas/architecture.ts";

/**
 * What llama.cpp's loader reads per architecture (de3ff81 `load_arch_hparams`), as map.ts needs
 * it: whether it has attention, its SWA rule, its recurrent family, MLA, required keys
 * (docs/memory-model.md#gguf-keys).
 */

export type SwaRule =
  /** The loader never reads sliding_window: no SWA whatever the file says. */
  | { kind: "none" }
  /** `load_swa_pattern(ml, period[, dense_first])`: GGUF pattern key first, else the period. */
  | {
      kind: "pattern";
      period: number;
      denseFirst?: boolean;
      /** n_swa when the key is absent (gemma2: 4096); undefined = key required. */
      windowDefault?: number;
      /** SWA only when sliding_window is present and > 0 (gemma3). */
      optional?: boolean;
    }
  /** gemma4: per-layer pattern array required. */
  | { kind: "array" }
  /** llama4: chunked attention, window forced to 8192 unless the file says 0. */
  | { kind: "llama4" }
  /** phi3: read, then disabled by the loader. */
  | { kind: "disabled" }
  /** lfm2: when sliding_window > 0, every attention (non-recurrent) layer is SWA. */
  | { kind: "lfm2" };

export interface ArchSpec {
  /** Has attention layers (needs head_count). */
  attention: boolean;
  swa: SwaRule;
  recurrent?: RecurrentFamily;
  /** MLA keys are read (deepseek2 family). */
  mla?: boolean;
  /** Key suffixes (after `{arch}.`) the loader requires, beyond the common ones. */
  required?: readonly string[];
}

const MAMBA1 = ["ssm.conv_kernel", "ssm.inner_size", "ssm.state_size", "ssm.time_step_rank"];
const MAMBA2 = [...MAMBA1, "ssm.group_count"];
const NONE: SwaRule = { kind: "none" };

/** Architectures whose loaders were read for this mapping (llama.cpp de3ff81). */
export const ARCHS: Readonly<Record<string, ArchSpec>> = {
  llama: { attention: true, swa: NONE },
  qwen2: { attention: true, swa: NONE },
  qwen2moe: { attention: true, swa: NONE },
  qwen3: { attention: true, swa: NONE },
  qwen3moe: { attention: true, swa: NONE },
  mistral3: { attention: true, swa: NONE },
  glm4: { attention: true, swa: NONE },
  glm4moe: { attention: true, swa: NONE },
  granite: { attention: true, swa: NONE },
  gemma: { attention: true, swa: NONE },
  phi3: { attention: true, swa: { kind: "disabled" } },
  gemma2: { attention: true, swa: { kind: "pattern", period: 2, windowDefault: 4096 } },
  gemma3: { attention: true, swa: { kind: "pattern", period: 6, optional: true } },
  gemma3n: { attention: true, swa: { kind: "pattern", period: 5 } },
  gemma4: {
    attention: true,
    swa: { kind: "array" },
    required: [
      "attention.sliding_window",
      "attention.sliding_window_pattern",
      "attention.key_length_swa",
      "attention.value_length_swa",
    ],
  },
  "gpt-oss": { attention: true, swa: { kind: "pattern", period: 2 } },
  "command-r": { attention: true, swa: NONE },
  cohere2: { attention: true, swa: { kind: "pattern", period: 4 } },
  llama4: { attention: true, swa: { kind: "llama4" } },
  deepseek2: { attention: true, swa: NONE, mla: true, required: ["attention.kv_lora_rank"] },
  mamba: { attention: false, swa: NONE, recurrent: "mamba1", required: MAMBA1 },
  mamba2: { attention: false, swa: NONE, recurrent: "mamba2", required: MAMBA2 },
  jamba: { attention: true, swa: NONE, recurrent: "mamba1", required: MAMBA1 },
  "falcon-h1": { attention: true, swa: NONE, recurrent: "mamba2", required: MAMBA2 },
  granitehybrid: { attention: true, swa: NONE, recurrent: "mamba2", required: MAMBA2 },
  nemotron_h: { attention: true, swa: NONE, recurrent: "mamba2", required: MAMBA2 },
  nemotron_h_moe: { attention: true, swa: NONE, recurrent: "mamba2", required: MAMBA2 },
  qwen3next: { attention: true, swa: NONE, recurrent: "gated-delta-net", required: MAMBA2 },
  qwen35: { attention: true, swa: NONE, recurrent: "gated-delta-net", required: MAMBA2 },
  qwen35moe: { attention: true, swa: NONE, recurrent: "gated-delta-net", required: MAMBA2 },
  rwkv6: { attention: false, swa: NONE, recurrent: "rwkv6", required: ["wkv.head_size"] },
  rwkv6qwen2: { attention: false, swa: NONE, recurrent: "rwkv6", required: ["wkv.head_size"] },
  rwkv7: { attention: false, swa: NONE, recurrent: "rwkv7", required: ["wkv.head_size"] },
  arwkv7: { attention: false, swa: NONE, recurrent: "rwkv7", required: ["wkv.head_size"] },
  lfm2: { attention: true, swa: { kind: "lfm2" }, recurrent: "shortconv", required: ["shortconv.l_cache"] },
  lfm2moe: { attention: true, swa: NONE, recurrent: "shortconv", required: ["shortconv.l_cache"] },
};

export const SUPPORTED_ARCHS: readonly string[] = Object.keys(ARCHS);
