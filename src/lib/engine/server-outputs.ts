/**
 * How many outputs (logits rows) llama-server reserves its context for
 * (docs/memory-model.md#server-outputs). tools/server/server-context.cpp `server_output_limits` at
 * llama.cpp de3ff81 sets `n_outputs_max = min(n_batch, n_parallel × (1 + n_max))`, at least 1, where
 * n_max is the draft length of the enabled speculative types (0 with none, and with a plain -md, whose
 * type stays `none` unless the draft GGUF names one); embeddings and pooled modes keep n_batch.
 * llama-cli runs the same server in-process. llama-completion (and memprobe) leave it 0, which
 * llama_context reads as n_batch: a micro-batch of outputs. The TurboQuant fork at 69d8e4be has no
 * such limit (its llama_context has no n_outputs_max), and Ollama's build is not checked: both keep
 * the micro-batch.
 */
import type { EngineProfile } from "../../schemas/runtime-config.ts";

export interface ServerOutputsInput {
  engine: EngineProfile;
  n_seq: number;
  n_batch: number;
  /** The longest draft of the enabled speculative types (0: none). */
  n_draft_max?: number;
}

/** llama-server's `n_outputs_max` for this build, or undefined where the build reserves n_batch outputs. */
export function serverOutputsMax(x: ServerOutputsInput): number | undefined {
  if (x.engine.name !== "llama.cpp" || x.engine.revision !== "current") return undefined;
  const perSeq = 1 + Math.max(0, x.n_draft_max ?? 0);
  return Math.max(1, Math.min(x.n_batch, x.n_seq * perSeq));
}

/** The config as llama-server runs it: its outputs limit added where the build has one and none is given. */
export function withServerOutputs<C extends ServerOutputsInput & { n_outputs_max?: number }>(config: C): C {
  if (config.n_outputs_max !== undefined) return config;
  const outputs = serverOutputsMax(config);
  return outputs === undefined ? config : { ...config, n_outputs_max: outputs };
}
