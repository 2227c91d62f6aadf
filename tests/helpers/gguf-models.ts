/**
 * Builders of tiny but loadable llama.cpp models (zero weights, real attention geometry, a minimal
 * SentencePiece-style vocabulary). Tensor names and shapes follow each architecture's loader in
 * llama.cpp de3ff81 (`src/models/<arch>.cpp`, `load_arch_tensors`), the tree node-llama-cpp 3.22.1
 * ships; hyper-parameter keys follow `src/llama-arch.cpp` and each `load_arch_hparams`.
 *
 * Every weight is F32: the point is the cache geometry, and F32 keeps every CPU op happy
 * (ssm_conv, rwkv wkv and the recurrent scans require F32 operands).
 *
 * The builders live by family in gguf-models/ (attention, moe, hybrid, recurrent; shared pieces
 * in parts.ts); this module is their front door.
 */
import type { TinyModel, TinyOptions } from "./gguf-models/parts.ts";
import {
  gemma2Model,
  gemma3Model,
  gemma3nModel,
  gptOssModel,
  llamaModel,
  qwen3Model,
} from "./gguf-models/attention.ts";
import { deepseek2Model, glm4moeModel } from "./gguf-models/moe.ts";
import { falconH1Model, graniteHybridModel, jambaModel, lfm2Model, qwen35Model } from "./gguf-models/hybrid.ts";
import { mamba2Model, mambaModel, rwkv6Model, rwkv7Model } from "./gguf-models/recurrent.ts";

export { tinyVocab, type TinyModel, type TinyOptions } from "./gguf-models/parts.ts";
export {
  deepseek2Model,
  falconH1Model,
  gemma2Model,
  gemma3Model,
  gemma3nModel,
  glm4moeModel,
  gptOssModel,
  graniteHybridModel,
  jambaModel,
  lfm2Model,
  llamaModel,
  mamba2Model,
  mambaModel,
  qwen35Model,
  qwen3Model,
  rwkv6Model,
  rwkv7Model,
};

/** All builders by family name, with their default options. */
export const TINY_MODELS: Readonly<Record<string, (o?: TinyOptions) => TinyModel>> = {
  qwen3: qwen3Model,
  llama: llamaModel,
  gemma2: gemma2Model,
  gemma3: gemma3Model,
  gemma3n: gemma3nModel,
  "gpt-oss": gptOssModel,
  deepseek2: deepseek2Model,
  glm4moe: glm4moeModel,
  qwen35: qwen35Model,
  mamba: mambaModel,
  mamba2: mamba2Model,
  jamba: jambaModel,
  granitehybrid: graniteHybridModel,
  "falcon-h1": falconH1Model,
  lfm2: lfm2Model,
  rwkv6: rwkv6Model,
  rwkv7: rwkv7Model,
};
