/**
 * The converter's input: a table of models' Hugging Face config values and the Ollama tag rows
 * (only the fields we read). The input is trusted reference material, but anything unexpected
 * still fails loudly with an InputError.
 */

export interface RefModel {
  name: string;
  family: string;
  hf_id: string | null;
  status: "VERIFIED" | "CORROBORATED" | "PARTIAL";
  total_params_b: number | null;
  active_params_b: number | null;
  effective_params_b: number | null;
  num_hidden_layers: number;
  hidden_size: number | null;
  num_attention_heads: number | null;
  num_key_value_heads: number | null;
  head_dim: number | null;
  max_position_embeddings: number | null;
  native_context: number | null;
  extended_context: number | null;
  attention_type: string | null;
  layer_pattern: string | null;
  sliding_window: number | null;
  attention_chunk_size: number | null;
  mla: {
    kv_lora_rank: number;
    q_lora_rank: number | null;
    qk_rope_head_dim: number;
    qk_nope_head_dim: number;
    v_head_dim: number;
  } | null;
  linear_attention: {
    linear_num_key_heads: number;
    linear_num_value_heads: number;
    linear_key_head_dim: number;
    linear_value_head_dim: number;
    linear_conv_kernel_dim: number;
  } | null;
  mamba: {
    type: "mamba1" | "mamba2";
    mamba_n_heads?: number | null;
    d_inner: number;
    d_state: number;
    n_groups?: number | null;
    d_conv: number;
    dt_rank?: number | null;
  } | null;
  moe: {
    num_experts: number;
    experts_per_tok: number;
    shared_experts: number;
    moe_intermediate_size: number;
    shared_expert_intermediate_size?: number;
    first_k_dense_replace?: number;
  } | null;
  intermediate_size: number | null;
  vocab_size: number | null;
  tie_word_embeddings: boolean | null;
  mtp_layers: number | null;
  vision_encoder: boolean | null;
  notes: string | null;
  source: string[];
  llamacpp: {
    kv_layers: number;
    recurrent_layers: number;
    kv_bytes_per_token_f16: number;
    swa_kv_bytes_per_cell_f16: number;
    recurrent_state_bytes_per_seq_f32: number;
    notes: string[];
  };
}

/** Invalid converter input (exit 1). */
export class InputError extends Error {}

export interface RefTag {
  tag: string;
  size: string;
  quant: string | null;
  model: string;
  source: string;
  status: string;
}
