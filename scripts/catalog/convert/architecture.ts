/**
 * Hugging Face config values → llama.cpp's GGUF architecture (src/schemas/architecture.ts): arch
 * names (llama.cpp de3ff81: src/llama-arch.cpp; conversion/*.py decides which arch a HF class
 * becomes), block_count incl. kept MTP/NextN layers, MLA widths, per-layer head_count_kv arrays of
 * hybrids, recurrent dims.
 */
import type { ArchitectureInput } from "../../../src/schemas/architecture.ts";
import { InputError, type RefModel } from "./ref-model.ts";

const ARCH_BY_FAMILY: Record<string, string> = {
  Qwen3: "qwen3",
  "Qwen3-Next": "qwen3next",
  "Qwen2.5": "qwen2",
  Llama: "llama",
  Llama4: "llama4",
  DeepSeek: "deepseek2",
  Kimi: "deepseek2",
  GLM: "glm4moe",
  "gpt-oss": "gpt-oss",
  Phi: "phi3",
  OLMo: "olmo2",
  Cohere: "command-r",
  "Falcon-H1": "falcon-h1",
  Jamba: "jamba",
};

function archOf(m: RefModel): string {
  const n = m.name;
  if (m.family === "Qwen3.5") return m.moe ? "qwen35moe" : "qwen35";
  if (m.family === "Qwen3") return m.moe ? "qwen3moe" : "qwen3";
  if (m.family === "Gemma") {
    if (n.startsWith("Gemma-2")) return "gemma2";
    if (n.startsWith("Gemma-3n")) return "gemma3n";
    return "gemma3";
  }
  if (m.family === "Mistral") {
    // Mistral3ForConditionalGeneration (Small 3.1/3.2, Magistral 1.2 with vision) → mistral3;
    // MistralForCausalLM / MixtralForCausalLM → llama (conversion/__init__.py, mistral3.py).
    if (n.startsWith("Mistral-Small") || n.startsWith("Magistral")) return "mistral3";
    return "llama";
  }
  if (m.family === "DeepSeek-R1-Distill") return n.includes("Llama") ? "llama" : "qwen2";
  if (m.family === "Granite") return n.includes("-H-") ? "granitehybrid" : "granite";
  if (m.family === "Nemotron-H") return m.moe ? "nemotron_h_moe" : "nemotron_h";
  const a = ARCH_BY_FAMILY[m.family];
  if (!a) throw new InputError(`${n}: no llama.cpp architecture known for family "${m.family}"`);
  return a;
}

/**
 * MTP/NextN layers the default converter keeps in block_count (llama.cpp de3ff81):
 * Qwen3.5/3.6 (_QwenMtpMixin keeps mtp_num_hidden_layers), GLM-4.x MoE (Glm4MoeModel keeps
 * num_nextn_predict_layers). DeepseekV2Model sets skip_mtp = True, so V3/R1/K2 drop theirs.
 */
function keptMtp(m: RefModel, arch: string): number {
  if (arch === "qwen35" || arch === "qwen35moe" || arch === "glm4moe") return m.mtp_layers ?? 0;
  return 0;
}

/** Attention layer indices of the Granite-4.0-H models (config.json layer_types). */
const GRANITE_H_ATTENTION = [5, 15, 25, 35];
/** Jamba: attn_layer_period 8, attn_layer_offset 4. */
const JAMBA_ATTENTION = [4, 12, 20, 28];

/** hybrid_override_pattern of the Nemotron-H models whose pattern the reference quotes. */
function nemotronPattern(m: RefModel): string | null {
  const q = /'([-M*E]+)'/.exec(m.layer_pattern ?? "");
  return q ? q[1] : null;
}

/** GGUF context_length where it differs from max_position_embeddings (or that is null). */
const CONTEXT_LENGTH_OVERRIDE: Record<string, number> = {
  // GGUF context_length 1048576 (NoPE attention), as the Ollama blob listing of the GGUF shows.
  "Granite-4.0-H-Small": 1048576,
};

const B = (x: number | null): number | null => (x === null ? null : Math.round(x * 1e9));

function need<T>(v: T | null | undefined, m: RefModel, field: string): T {
  if (v === null || v === undefined) throw new InputError(`${m.name}: ${field} is null`);
  return v;
}

function perLayerHeads(n: number, attn: number[], heads: number): number[] {
  return Array.from({ length: n }, (_, il) => (attn.includes(il) ? heads : 0));
}

/** The fields every architecture has, straight from the config (MLA, recurrent and hybrids adjust them). */
function baseArchitecture(m: RefModel, arch: string, mtp: number): ArchitectureInput {
  return {
    arch,
    name: m.name,
    block_count: m.num_hidden_layers + mtp,
    nextn_predict_layers: mtp,
    context_length: CONTEXT_LENGTH_OVERRIDE[m.name] ?? m.max_position_embeddings,
    n_embd: m.hidden_size,
    n_head: m.num_attention_heads,
    n_head_kv: m.num_key_value_heads,
    key_length: m.head_dim,
    value_length: m.head_dim,
    sliding_window: m.sliding_window ?? m.attention_chunk_size,
    feed_forward_length: m.intermediate_size,
    expert_count: m.moe ? m.moe.num_experts : 0,
    expert_used_count: m.moe ? m.moe.experts_per_tok : 0,
    expert_feed_forward_length: m.moe ? m.moe.moe_intermediate_size : null,
    expert_shared_count: m.moe ? m.moe.shared_experts : null,
    expert_shared_feed_forward_length: m.moe?.shared_expert_intermediate_size ?? null,
    leading_dense_block_count: m.moe?.first_k_dense_replace ?? null,
    vocab_size: m.vocab_size,
    tied_embeddings: m.tie_word_embeddings,
    n_params: B(m.total_params_b),
    n_params_active: B(m.active_params_b),
  };
}

/** MLA: key_length = kv_lora_rank + rope, value_length = kv_lora_rank, head_count_kv = 1 (the converter's). */
function applyMla(a: ArchitectureInput, mla: NonNullable<RefModel["mla"]>): void {
  a.key_length = mla.kv_lora_rank + mla.qk_rope_head_dim;
  a.value_length = mla.kv_lora_rank;
  a.n_head_kv = 1;
  a.mla = {
    kv_lora_rank: mla.kv_lora_rank,
    q_lora_rank: mla.q_lora_rank,
    rope_dim: mla.qk_rope_head_dim,
    key_length_mla: mla.qk_nope_head_dim + mla.qk_rope_head_dim,
    value_length_mla: mla.v_head_dim,
  };
}

/** Recurrent state: gated delta net (linear attention) or Mamba 1/2. */
function applyRecurrent(a: ArchitectureInput, m: RefModel, notes: string[]): void {
  if (m.linear_attention) {
    const la = m.linear_attention;
    a.full_attention_interval = 4;
    a.recurrent = {
      family: "gated-delta-net",
      d_conv: la.linear_conv_kernel_dim,
      d_inner: la.linear_value_head_dim * la.linear_num_value_heads,
      d_state: la.linear_key_head_dim,
      n_group: la.linear_num_key_heads,
      time_step_rank: la.linear_num_value_heads,
    };
  }
  if (m.mamba) {
    const mb = m.mamba;
    a.recurrent = {
      family: mb.type,
      d_conv: mb.d_conv,
      d_inner: mb.d_inner,
      d_state: mb.d_state,
      n_group: mb.type === "mamba1" ? 0 : (mb.n_groups ?? null),
      time_step_rank: mb.type === "mamba1" ? (mb.dt_rank ?? null) : (mb.mamba_n_heads ?? null),
    };
    if (mb.type === "mamba2" && (mb.n_groups === null || mb.n_groups === undefined))
      notes.push("ssm.group_count unknown: the recurrent state cannot be computed");
  }
}

/** Nemotron-H: per-layer head_count_kv and feed_forward_length from hybrid_override_pattern. */
function applyNemotronPattern(a: ArchitectureInput, m: RefModel, notes: string[]): void {
  const L = m.num_hidden_layers;
  const pat = nemotronPattern(m);
  if (pat === null) {
    // Only block counts are known: leave the per-layer arrays unknown; the engine refuses.
    a.n_head_kv = null;
    a.feed_forward_length = null;
    notes.push(
      "hybrid_override_pattern not in our sources (only the block counts): per-layer head_count_kv and feed_forward_length unknown",
    );
    return;
  }
  if (pat.length !== L)
    throw new InputError(`${m.name}: hybrid_override_pattern has ${pat.length} blocks, expected ${L}`);
  const kv = need(m.num_key_value_heads, m, "num_key_value_heads");
  const ffDense = m.intermediate_size;
  const ffExpert = m.moe?.moe_intermediate_size ?? null;
  a.n_head_kv = [...pat].map((c) => (c === "*" ? kv : 0));
  a.feed_forward_length = [...pat].map((c) => {
    if (c === "-") return need(ffDense, m, "intermediate_size");
    if (c === "E") return need(ffExpert, m, "moe.moe_intermediate_size");
    return 0;
  });
}

/** Hybrids: attention layers by position (Jamba, Granite-4.0-H) or by pattern (Nemotron-H). */
function applyHybridLayers(a: ArchitectureInput, m: RefModel, arch: string, notes: string[]): void {
  const L = m.num_hidden_layers;
  if (arch === "jamba") {
    a.n_head_kv = perLayerHeads(L, JAMBA_ATTENTION, need(m.num_key_value_heads, m, "num_key_value_heads"));
  }
  if (arch === "granitehybrid") {
    a.n_head_kv = perLayerHeads(L, GRANITE_H_ATTENTION, need(m.num_key_value_heads, m, "num_key_value_heads"));
    if (m.layer_pattern?.includes("UNVERIFIED"))
      notes.push(
        "attention layer positions 5/15/25/35 taken from sibling configs (unverified); totals do not depend on them",
      );
  }
  if (arch === "nemotron_h" || arch === "nemotron_h_moe") applyNemotronPattern(a, m, notes);
}

export function toArchitecture(m: RefModel): { arch: ArchitectureInput; notes: string[] } {
  const notes: string[] = [];
  const arch = archOf(m);
  const mtp = keptMtp(m, arch);
  const a = baseArchitecture(m, arch, mtp);
  if (mtp > 0) notes.push(`block_count includes ${mtp} MTP/NextN layer(s) kept by the converter`);
  if (m.mla) applyMla(a, m.mla);
  applyRecurrent(a, m, notes);
  applyHybridLayers(a, m, arch, notes);
  return { arch: a, notes };
}
