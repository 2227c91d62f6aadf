/**
 * A zero-weight GGUF of a catalog preset's real geometry: the hyper-parameters each architecture's
 * `load_hparams` reads (from the preset's architecture block) and the tensor list of the engine's
 * weights builder in the float types a conversion writes. Written as a sparse file, it loads in
 * llama.cpp's no-allocation mode (llama-quantize --dry-run, llama-fit-params) at any model size.
 * Used by the weights and compute fixture generators.
 */
import { loaderTensors } from "../../src/lib/engine/weights.ts";
import { phi3LongRopeDim } from "../../src/lib/engine/weights/dense.ts";
import { sourceType } from "../../src/lib/engine/weights/tensor-list.ts";
import type { Architecture } from "../../src/schemas/architecture.ts";
import { tinyVocab, type TinyModel } from "./gguf-models.ts";
import { kv } from "./gguf-writer.ts";
import type { GgufKv } from "./gguf-writer.ts";

const num = (v: number | readonly number[]): GgufKv => (typeof v === "number" ? kv.u32(v) : kv.arr.i32([...v]));

/** The hyper-parameters each arch's `load_hparams` reads, from the preset's architecture. */
export function presetMetadata(a: Architecture): Record<string, GgufKv> {
  const p = a.arch;
  const m: Record<string, GgufKv> = {
    "general.architecture": kv.str(p),
    "general.name": kv.str(a.name ?? p),
    "general.file_type": kv.u32(1),
  };
  const set = (k: string, v: GgufKv | null) => {
    if (v) m[`${p}.${k}`] = v;
  };
  const u = (v: number | null | undefined) => (v === null || v === undefined ? null : kv.u32(v));
  set("block_count", kv.u32(a.block_count));
  set("context_length", u(a.context_length ?? 4096));
  set("embedding_length", u(a.n_embd));
  // Granite MoE GGUFs store the expert width as feed_forward_length (its loader reads n_ff).
  const ff = a.feed_forward_length ?? a.expert_feed_forward_length;
  set("feed_forward_length", ff === null ? null : num(ff));
  set("attention.head_count", a.n_head === null ? null : num(a.n_head));
  set("attention.head_count_kv", a.n_head_kv === null ? null : num(a.n_head_kv));
  set("attention.key_length", u(a.key_length));
  set("attention.value_length", u(a.value_length));
  set("attention.layer_norm_rms_epsilon", kv.f32(1e-6));
  set("attention.layer_norm_epsilon", kv.f32(1e-5));
  set("attention.sliding_window", u(a.sliding_window));
  set("rope.freq_base", kv.f32(10000));
  // Qwen3.5's multimodal RoPE sections (read unconditionally by its load_hparams).
  if (p === "qwen35" || p === "qwen35moe") set("rope.dimension_sections", kv.arr.i32([11, 11, 10, 0]));
  // Granite's scales (read unconditionally by its load_hparams); other archs ignore them.
  for (const k of ["logit_scale", "residual_scale", "embedding_scale", "attention.scale"]) set(k, kv.f32(1));
  set("rope.dimension_count", u(a.mla?.rope_dim ?? phi3LongRopeDim(a) ?? a.key_length));
  set("vocab_size", u(a.vocab_size));
  set("expert_count", u(a.expert_count));
  set("expert_used_count", u(a.expert_used_count));
  set("expert_feed_forward_length", u(a.expert_feed_forward_length));
  set("expert_shared_count", u(a.expert_shared_count));
  set("expert_shared_feed_forward_length", u(a.expert_shared_feed_forward_length));
  set("leading_dense_block_count", u(a.leading_dense_block_count));
  set("interleave_moe_layer_step", u(a.interleave_moe_layer_step));
  set("nextn_predict_layers", u(a.nextn_predict_layers || null));
  set("full_attention_interval", u(a.full_attention_interval));
  if (a.expert_count) {
    set("expert_gating_func", kv.u32(p === "deepseek2" || p === "glm4moe" ? 2 : 1));
    set("expert_weights_scale", kv.f32(1));
    set("expert_weights_norm", kv.bool(true));
  }
  if (a.mla) {
    set("attention.kv_lora_rank", kv.u32(a.mla.kv_lora_rank));
    set("attention.q_lora_rank", u(a.mla.q_lora_rank));
    set("attention.key_length_mla", kv.u32(a.mla.key_length_mla));
    set("attention.value_length_mla", kv.u32(a.mla.value_length_mla));
  }
  const r = a.recurrent;
  if (r) {
    set("ssm.conv_kernel", u(r.d_conv));
    set("ssm.inner_size", u(r.d_inner));
    set("ssm.state_size", u(r.d_state));
    set("ssm.group_count", u(r.n_group));
    set("ssm.time_step_rank", u(r.time_step_rank));
  }
  return m;
}

/** The preset as a GGUF spec, optionally with a vocabulary of its size (what llama.cpp needs to run). */
export function presetGguf(a: Architecture, float: "f16" | "bf16" | "f32", withVocab: boolean): TinyModel {
  const tensors = loaderTensors(a).map((t) => ({ name: t.name, shape: t.dims, type: sourceType(t, float) }));
  if (withVocab && a.vocab_size === null) throw new Error(`${a.name ?? a.arch}: vocab_size is null`);
  const vocab = withVocab && a.vocab_size !== null ? tinyVocab(a.vocab_size) : {};
  return {
    arch: a.arch,
    note: `${a.name ?? a.arch} geometry (engine tensor list)`,
    metadata: { ...presetMetadata(a), ...vocab },
    tensors,
  };
}
