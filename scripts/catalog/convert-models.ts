/**
 * One-off (re-runnable) converter: a table of models' Hugging Face config values (a JSON file with
 * `models` and `ollama_tags`, plus a Markdown table repeating the hand-computed byte columns) →
 * data/models/<id>.json. The input tables are the project's development notes, not part of the
 * repository, so both paths are required arguments; nothing at build or test time runs this.
 *
 *   node scripts/catalog/convert-models.ts --from <models.json> --md <models.md> [--out data/models]
 *
 * The input holds Hugging Face config values; this maps them onto llama.cpp's GGUF semantics
 * (src/schemas/architecture.ts): arch names, block_count incl. kept MTP/NextN layers, MLA widths,
 * per-layer head_count_kv arrays of hybrids, recurrent dims. Which GGUF a converter writes is
 * decided from llama.cpp de3ff81's convert_hf_to_gguf.py / conversion/*.py (see ARCH and MTP_KEPT).
 * The hand-computed `llamacpp` figures are copied into `reference` after checking that the
 * Markdown table agrees, for the catalog test to compare the engine with. Sources are written as
 * links a reader can open: the model's own config.json on Hugging Face first, then the public
 * copies the values were read or corroborated from (`status` says which).
 *
 * Nothing is written unless every preset validates. Exit 0 ok, 1 bad input, 2 usage.
 */
import { PUBLISHED_CONFIGS, type PublishedConfigFacts } from "./published-configs.ts";
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ArchitectureInput } from "../../src/schemas/architecture.ts";
import { ModelSchema, type ModelInput, type WeightVariant } from "../../src/schemas/model.ts";
import { parseBytes } from "../../src/lib/units.ts";
import { format, resolveConfig } from "prettier";
import { issueSummary } from "../../src/lib/zod-issues.ts";

// ---------------------------------------------------------------------------------------------
// Input shape (only the fields we read; the input is trusted reference material, but we still
// fail loudly on anything unexpected).

interface RefModel {
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

class InputError extends Error {}

// ---------------------------------------------------------------------------------------------
// llama.cpp architecture per model (llama.cpp de3ff81: src/llama-arch.cpp names; conversion/*.py
// decides which arch a HF class becomes).

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

// Licenses we are sure of from the models' cards; everything else stays null.
const LICENSE: Array<[RegExp, string]> = [
  [/^Qwen3-|^Qwen3\.5-|^Qwen3-Next/, "Apache-2.0"],
  [/^Qwen2\.5-(7B|14B|32B)/, "Apache-2.0"],
  [/^Qwen2\.5-72B/, "Qwen License"],
  [/^Llama-3\.1-/, "Llama 3.1 Community License"],
  [/^Llama-3\.2-/, "Llama 3.2 Community License"],
  [/^Llama-3\.3-/, "Llama 3.3 Community License"],
  [/^Llama-4-/, "Llama 4 Community License"],
  [/^Gemma-/, "Gemma Terms of Use"],
  [/^Mistral-7B|^Mistral-Nemo|^Mistral-Small|^Devstral|^Magistral|^Mixtral/, "Apache-2.0"],
  [/^DeepSeek-R1$|^DeepSeek-R1-Distill/, "MIT"],
  [/^GLM-4\.5|^GLM-4\.6/, "MIT"],
  [/^gpt-oss-/, "Apache-2.0"],
  [/^Phi-4/, "MIT"],
  [/^OLMo-2-/, "Apache-2.0"],
  [/^Command-R/, "CC-BY-NC-4.0"],
  [/^Granite-4\.0-/, "Apache-2.0"],
];

function licenseOf(name: string): string | null {
  for (const [re, lic] of LICENSE) if (re.test(name)) return lic;
  return null;
}

function slugOf(name: string): string {
  return name
    .replace(/\(.*?\)/g, "")
    .trim()
    .toLowerCase()
    .replace(/\//g, "-")
    .replace(/[^a-z0-9.]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
}

const STATUS = { VERIFIED: "verified", CORROBORATED: "corroborated", PARTIAL: "partial" } as const;

const B = (x: number | null): number | null => (x === null ? null : Math.round(x * 1e9));

function need<T>(v: T | null | undefined, m: RefModel, field: string): T {
  if (v === null || v === undefined) throw new InputError(`${m.name}: ${field} is null`);
  return v;
}

function perLayerHeads(n: number, attn: number[], heads: number): number[] {
  return Array.from({ length: n }, (_, il) => (attn.includes(il) ? heads : 0));
}

function toArchitecture(m: RefModel): { arch: ArchitectureInput; notes: string[] } {
  const notes: string[] = [];
  const arch = archOf(m);
  const mtp = keptMtp(m, arch);
  const L = m.num_hidden_layers;
  const a: ArchitectureInput = {
    arch,
    name: m.name,
    block_count: L + mtp,
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
  if (mtp > 0) notes.push(`block_count includes ${mtp} MTP/NextN layer(s) kept by the converter`);

  if (m.mla) {
    // Converter: key_length = kv_lora_rank + rope, value_length = kv_lora_rank, head_count_kv = 1.
    a.key_length = m.mla.kv_lora_rank + m.mla.qk_rope_head_dim;
    a.value_length = m.mla.kv_lora_rank;
    a.n_head_kv = 1;
    a.mla = {
      kv_lora_rank: m.mla.kv_lora_rank,
      q_lora_rank: m.mla.q_lora_rank,
      rope_dim: m.mla.qk_rope_head_dim,
      key_length_mla: m.mla.qk_nope_head_dim + m.mla.qk_rope_head_dim,
      value_length_mla: m.mla.v_head_dim,
    };
  }

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
  if (arch === "nemotron_h" || arch === "nemotron_h_moe") {
    const pat = nemotronPattern(m);
    if (pat === null) {
      // Only block counts are known: leave the per-layer arrays unknown; the engine refuses.
      a.n_head_kv = null;
      a.feed_forward_length = null;
      notes.push(
        "hybrid_override_pattern not in our sources (only the block counts): per-layer head_count_kv and feed_forward_length unknown",
      );
    } else {
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
  }
  return { arch: a, notes };
}

// ---------------------------------------------------------------------------------------------
// Weight variants: Ollama tags (the input's ollama_tags) and other listed GGUF sizes.

interface RefTag {
  tag: string;
  size: string;
  quant: string | null;
  model: string;
  source: string;
  status: string;
}

interface TagMap {
  /** The input row's `tag` field, verbatim. */
  ref: string;
  model: string;
  tag: string;
  aliases: string[];
  /** Overrides the size (for split rows). */
  size?: string;
  ftype: string | null;
  includesVision: boolean | null;
  notes?: string;
}

/** How each input tag row maps onto a preset; rows for models we have no preset of are listed in UNMAPPED. */
const TAGS: TagMap[] = [
  { ref: "qwen3.5:27b", model: "Qwen3.5-27B", tag: "qwen3.5:27b", aliases: [], ftype: null, includesVision: true },
  {
    ref: "qwen3.5:9b / qwen3.5:latest",
    model: "Qwen3.5-9B",
    tag: "qwen3.5:9b",
    aliases: ["qwen3.5:latest"],
    ftype: "Q4_K_M",
    includesVision: true,
  },
  { ref: "qwen3.5:4b", model: "Qwen3.5-4B", tag: "qwen3.5:4b", aliases: [], ftype: null, includesVision: true },
  {
    ref: "qwen3.5:35b (= 35b-a3b)",
    model: "Qwen3.5-35B-A3B",
    tag: "qwen3.5:35b",
    aliases: ["qwen3.5:35b-a3b"],
    ftype: "Q4_K_M",
    includesVision: true,
  },
  {
    ref: "qwen3.5:122b",
    model: "Qwen3.5-122B-A10B",
    tag: "qwen3.5:122b",
    aliases: [],
    ftype: null,
    includesVision: true,
  },
  { ref: "qwen3.5:0.8b", model: "Qwen3.5-0.8B", tag: "qwen3.5:0.8b", aliases: [], ftype: null, includesVision: true },
  { ref: "gemma3:1b", model: "Gemma-3-1B", tag: "gemma3:1b", aliases: [], ftype: "Q4_K_M", includesVision: false },
  {
    ref: "gemma3 (4b)",
    model: "Gemma-3-4B",
    tag: "gemma3:4b",
    aliases: ["gemma3:latest"],
    ftype: null,
    includesVision: null,
  },
  { ref: "gemma3:12b", model: "Gemma-3-12B", tag: "gemma3:12b", aliases: [], ftype: null, includesVision: null },
  { ref: "gemma3:27b", model: "Gemma-3-27B", tag: "gemma3:27b", aliases: [], ftype: null, includesVision: null },
  {
    ref: "deepseek-r1 (7b)",
    model: "DeepSeek-R1-Distill-Qwen-7B",
    tag: "deepseek-r1:7b",
    aliases: ["deepseek-r1:latest"],
    ftype: null,
    includesVision: false,
  },
  {
    ref: "deepseek-r1:671b",
    model: "DeepSeek-R1",
    tag: "deepseek-r1:671b",
    aliases: [],
    ftype: null,
    includesVision: false,
  },
  {
    ref: "llama4:scout",
    model: "Llama-4-Scout-17B-16E",
    tag: "llama4:scout",
    aliases: [],
    ftype: null,
    includesVision: null,
  },
  {
    ref: "llama4:maverick",
    model: "Llama-4-Maverick-17B-128E",
    tag: "llama4:maverick",
    aliases: [],
    ftype: null,
    includesVision: null,
  },
  {
    ref: "llama3.3 (70b)",
    model: "Llama-3.3-70B",
    tag: "llama3.3:70b",
    aliases: ["llama3.3:latest"],
    ftype: null,
    includesVision: false,
  },
  {
    ref: "llama3.2 (3b)",
    model: "Llama-3.2-3B",
    tag: "llama3.2:3b",
    aliases: ["llama3.2:latest"],
    ftype: null,
    includesVision: false,
  },
  { ref: "llama3.2:1b", model: "Llama-3.2-1B", tag: "llama3.2:1b", aliases: [], ftype: null, includesVision: false },
  {
    ref: "llama3.1 (8b)",
    model: "Llama-3.1-8B",
    tag: "llama3.1:8b",
    aliases: ["llama3.1:latest"],
    ftype: null,
    includesVision: false,
  },
  {
    ref: "llama3.1:405b",
    model: "Llama-3.1-405B",
    tag: "llama3.1:405b",
    aliases: [],
    ftype: null,
    includesVision: false,
  },
  { ref: "phi4 (14b)", model: "Phi-4", tag: "phi4:14b", aliases: ["phi4:latest"], ftype: null, includesVision: false },
  {
    ref: "phi4-mini (3.8b)",
    model: "Phi-4-mini",
    tag: "phi4-mini:3.8b",
    aliases: ["phi4-mini:latest"],
    ftype: null,
    includesVision: false,
  },
  {
    ref: "mistral (7b)",
    model: "Mistral-7B-v0.3",
    tag: "mistral:7b",
    aliases: ["mistral:latest"],
    ftype: null,
    includesVision: false,
    notes: "The README row does not name the Mistral-7B version; the current tag may differ from v0.3.",
  },
  {
    ref: "granite4:tiny-h (= granite4:7b-a1b-h)",
    model: "Granite-4.0-H-Tiny",
    tag: "granite4:tiny-h",
    aliases: ["granite4:7b-a1b-h"],
    ftype: "Q4_K_M",
    includesVision: false,
  },
  {
    ref: "granite4:latest (micro, dense 3B)",
    model: "Granite-4.0-Micro",
    tag: "granite4:latest",
    aliases: [],
    ftype: "Q4_K_M",
    includesVision: false,
  },
  {
    ref: "ibm/granite4:small-h-q6_K",
    model: "Granite-4.0-H-Small",
    tag: "ibm/granite4:small-h-q6_K",
    aliases: [],
    ftype: "Q6_K",
    includesVision: false,
  },
  {
    ref: "nemotron-3-nano (30b)",
    model: "NVIDIA-Nemotron-3-Nano-30B-A3B",
    tag: "nemotron-3-nano:30b",
    aliases: ["nemotron-3-nano:latest"],
    ftype: "Q4_K_M",
    includesVision: false,
  },
  {
    ref: "mixtral (8x7b)",
    model: "Mixtral-8x7B",
    tag: "mixtral:8x7b",
    aliases: ["mixtral:latest"],
    ftype: "Q4_K_M",
    includesVision: false,
  },
  {
    ref: "qwen3:14b",
    model: "Qwen3-14B",
    tag: "qwen3:14b",
    aliases: [],
    size: "9.3GB",
    ftype: "Q4_K_M",
    includesVision: false,
    notes: "Listed as a range (~9.0–9.3GB); the upper value is stored.",
  },
  {
    ref: "gpt-oss:20b / gpt-oss:120b",
    model: "gpt-oss-20b",
    tag: "gpt-oss:20b",
    aliases: [],
    size: "14GB",
    ftype: "MXFP4_MOE",
    includesVision: false,
    notes: "Approximate size (~14GB) from a cookbook; MXFP4 is the only quant Ollama offers.",
  },
  {
    ref: "gpt-oss:20b / gpt-oss:120b",
    model: "gpt-oss-120b",
    tag: "gpt-oss:120b",
    aliases: [],
    size: "65GB",
    ftype: "MXFP4_MOE",
    includesVision: false,
    notes: "Approximate size (~65GB) from a cookbook; MXFP4 is the only quant Ollama offers.",
  },
];

/** Input tag rows with no preset (reported, not converted). */
const UNMAPPED = new Set(["qwq (32b)", "granite3.3 (8b)", "granite4:1b-h-q8_0", "nemotron-3-nano:4b"]);

function listingStatus(s: string): WeightVariant["listingStatus"] {
  if (/^VERIFIED/.test(s)) return "verified";
  if (/^SECONDARY/.test(s)) return "secondary";
  if (/UNVERIFIED/.test(s)) return "unverified";
  throw new InputError(`unknown listing status "${s}"`);
}

/** Other listed GGUF sizes (and the project's H100 measurement). */
interface ExtraVariant extends Omit<WeightVariant, "bytes"> {
  model: string;
  bytes: number | null;
}
const H100_RAW = "data/raw/2026-11-26-qwen3-14b-h100-sxm-80gb-llama-cpp-cuda/";
const EXTRA: ExtraVariant[] = [
  {
    model: "Qwen3-14B",
    id: "gguf-q4_k_m-h100-measurement",
    ollamaTag: null,
    aliases: [],
    publisher:
      "Context Ceiling's H100 measurement (written with llama.cpp gguf-py, Q4_K_M layout of src/llama-quant.cpp)",
    ftype: "Q4_K_M",
    ftypeStated: "Q4_K_M (general.file_type 15)",
    bytes: 8995793920,
    bytesKind: "exact",
    statedAs: "8,995,793,920 bytes of tensor data (8579.06 MiB)",
    includesVision: false,
    listingStatus: "verified",
    source: `H100 measurement by the project, raw files under ${H100_RAW} (README.md, provenance/gguf.log)`,
    notes:
      "Tensor data; the file is 8,999,660,480 bytes. Same tensor types as llama-quantize's Q4_K_M (checked against tests/snapshots/qwen3-14b.schema).",
  },
  {
    model: "Qwen3-14B",
    id: "ollama-dengcao-qwen3-14b-q5_k_m",
    ollamaTag: "dengcao/Qwen3-14B:Q5_K_M",
    aliases: [],
    publisher: "dengcao (Ollama user namespace)",
    ftype: "Q5_K_M",
    ftypeStated: "Q5_K_M",
    bytes: null,
    bytesKind: "displayed",
    statedAs: "11GB",
    includesVision: false,
    listingStatus: "secondary",
    source: "https://ollama.com/dengcao/Qwen3-14B:Q5_K_M/blobs/e7c9aba1129c",
    notes: null,
  },
  {
    model: "Qwen3-32B",
    id: "ollama-dengcao-qwen3-32b-q5_k_m",
    ollamaTag: "dengcao/Qwen3-32B:Q5_K_M",
    aliases: [],
    publisher: "dengcao (Ollama user namespace)",
    ftype: "Q5_K_M",
    ftypeStated: "Q5_K_M",
    bytes: null,
    bytesKind: "displayed",
    statedAs: "23GB",
    includesVision: false,
    listingStatus: "secondary",
    source: "https://ollama.com/dengcao/Qwen3-32B:Q5_K_M",
    notes: null,
  },
  {
    model: "Qwen3-32B",
    id: "ollama-mychen76-qwen3-32b-q4_k_m",
    ollamaTag: "mychen76/qwen3_cline_roocode:32b-128K",
    aliases: [],
    publisher: "mychen76 (Ollama user namespace; a fine-tune of Qwen3-32B)",
    ftype: "Q4_K_M",
    ftypeStated: "Q4_K_M",
    bytes: null,
    bytesKind: "displayed",
    statedAs: "20GB",
    includesVision: false,
    listingStatus: "secondary",
    source: "https://ollama.com/mychen76/qwen3_cline_roocode:32b-128K",
    notes: "A fine-tune with the Qwen3-32B architecture.",
  },
  {
    model: "Qwen3.5-27B",
    id: "gguf-bartowski-q3_k_m",
    ollamaTag: null,
    aliases: [],
    publisher: "bartowski",
    ftype: "Q3_K_M",
    ftypeStated: "Q3_K_M",
    bytes: null,
    bytesKind: "displayed",
    statedAs: "13.85 GB",
    includesVision: false,
    listingStatus: "secondary",
    source: "http://204.152.198.140/aaardpark/Qwen3.5-27B-GGUF",
    notes: null,
  },
  {
    model: "Qwen3.5-27B",
    id: "gguf-unsloth-q3_k_m",
    ollamaTag: null,
    aliases: [],
    publisher: "unsloth",
    ftype: "Q3_K_M",
    ftypeStated: "Q3_K_M",
    bytes: null,
    bytesKind: "displayed",
    statedAs: "13.5 GB",
    includesVision: false,
    listingStatus: "secondary",
    source: "http://204.152.198.140/aaardpark/Qwen3.5-27B-GGUF",
    notes: null,
  },
  {
    model: "Qwen3.5-27B",
    id: "gguf-unsloth-ud-q3_k_xl",
    ollamaTag: null,
    aliases: [],
    publisher: "unsloth",
    ftype: null,
    ftypeStated: "UD-Q3_K_XL (unsloth dynamic mix)",
    bytes: null,
    bytesKind: "displayed",
    statedAs: "14.4 GB",
    includesVision: false,
    listingStatus: "secondary",
    source: "http://204.152.198.140/aaardpark/Qwen3.5-27B-GGUF",
    notes: null,
  },
  {
    model: "Qwen3.5-27B",
    id: "gguf-unsloth-ud-iq3_xxs",
    ollamaTag: null,
    aliases: [],
    publisher: "unsloth",
    ftype: null,
    ftypeStated: "UD-IQ3_XXS (unsloth dynamic mix)",
    bytes: null,
    bytesKind: "displayed",
    statedAs: "11.5 GB",
    includesVision: false,
    listingStatus: "secondary",
    source: "http://204.152.198.140/aaardpark/Qwen3.5-27B-GGUF",
    notes: null,
  },
  {
    model: "Qwen3.5-4B",
    id: "ollama-turintech-q4_k_m",
    ollamaTag: "turintech/qwen3.5-4b-artemis:q4_k_m",
    aliases: [],
    publisher: "turintech (Ollama user namespace; a fine-tune of Qwen3.5-4B)",
    ftype: "Q4_K_M",
    ftypeStated: "Q4_K_M",
    bytes: null,
    bytesKind: "displayed",
    statedAs: "2.7GB",
    includesVision: false,
    listingStatus: "secondary",
    source: "https://ollama.com/turintech/qwen3.5-4b-artemis:q4_k_m/blobs/9cc404317005",
    notes: "Text-only GGUF of a fine-tune with the Qwen3.5-4B architecture.",
  },
  ...(
    [
      ["q4_0", "Q4_0", "4.43 GB"],
      ["q5_k_m", "Q5_K_M", "5.44 GB"],
      ["q3_k_s", "Q3_K_S", "3.49 GB"],
    ] as const
  ).map(([slug, ft, size]): ExtraVariant => ({
    model: "Qwen2.5-7B-Instruct",
    id: `gguf-richarderkhov-${slug}`,
    ollamaTag: null,
    aliases: [],
    publisher: "RichardErkhov (unsloth conversion)",
    ftype: ft,
    ftypeStated: ft,
    bytes: null,
    bytesKind: "displayed",
    statedAs: size,
    includesVision: false,
    listingStatus: "verified",
    source: "https://huggingface.co/RichardErkhov/unsloth_-_Qwen2.5-7B-Instruct-gguf",
    notes: "File size as the hub lists it (decimal GB, 2 decimals).",
  })),
];

/**
 * Where `reference` comes from: a hand computation from the config values, independent of the
 * engine, with the rules of docs/memory-model.md as of llama.cpp 34af94cd.
 */
const REFERENCE_SOURCE =
  "Computed by hand from the model's config.json values with llama.cpp's allocation rules (docs/memory-model.md, upstream llama.cpp 34af94cd), independently of the engine";

/** `owner/repo@commit (date): path rest` or `owner/repo: path rest`, a file in a GitHub repository. */
const REPO_FILE = /^([\w.-]+\/[\w.-]+?)(?:@([0-9a-f]{7,40}\^?))?(?: \([^)]*\))?: (\S+)(.*)$/;

/** Parent commits the input names as `<hash>^`, resolved with `git rev-parse` (a URL needs a hash). */
const PARENT_OF: Record<string, string> = {
  // ollama/ollama 519b11e "site: update readme (#14217)", 2026-02-12: its parent still has the model table.
  "519b11e^": "379fd64fa837",
};

/** A source as a link a reader can open (GitHub repository files become blob URLs). */
function sourceLink(s: string): string {
  const m = REPO_FILE.exec(s);
  if (!m) return s;
  const [, repo, ref, path, rest] = m;
  let commit = ref ?? "HEAD";
  if (commit.endsWith("^")) {
    const parent = PARENT_OF[commit];
    if (!parent) throw new InputError(`source "${s}": no resolved parent commit for ${commit}`);
    commit = parent;
  }
  const note = rest === "" || rest.startsWith(" (") ? rest : ` (${rest.trim()})`;
  return `https://github.com/${repo}/blob/${commit}/${path}${note}`;
}

/**
 * The model's own Hugging Face repository first (a cited page of it, else its config.json), then
 * the copies the values were read or corroborated from.
 */
function primarySources(m: RefModel): string[] {
  const links = m.source.map(sourceLink);
  if (!m.hf_id) return links;
  const own = links.filter((l) => l.startsWith(`https://huggingface.co/${m.hf_id}/`));
  const rest = links.filter((l) => !own.includes(l));
  return own.length > 0 ? [...own, ...rest] : [`https://huggingface.co/${m.hf_id}/blob/main/config.json`, ...rest];
}

function displayedBytes(stated: string): number {
  return parseBytes(stated.replace(/^~/, "").trim());
}

// ---------------------------------------------------------------------------------------------

function parseMdTable(md: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of md.split("\n")) {
    if (!line.startsWith("| ") || line.startsWith("| Model") || line.startsWith("|---")) continue;
    const cells = line
      .slice(1, -1)
      .split("|")
      .map((c) => c.trim());
    if (cells.length === 14) rows.set(cells[0], cells);
  }
  return rows;
}

const mdNum = (s: string): number => {
  const t = s.replace(/[¹²]/g, "").trim();
  return t === "—" || t === "" ? 0 : Number(t.replace(/,/g, ""));
};

/** The reference row with the facts of its published config.json filled in (see published-configs.ts). */
function withPublishedConfig(m: RefModel, f: PublishedConfigFacts): RefModel {
  const read = f.readFrom.length ? ` (read from ${f.readFrom.join("; ")})` : "";
  // The reference's caveat on the fields this config now settles no longer holds.
  const notes = [
    m.notes?.replace("mamba n_groups, vocab, tie UNVERIFIED except 0.5B. ", ""),
    `Published config: ${f.config}${read}.`,
    f.unverified ? `Unverified: ${f.unverified}.` : null,
  ];
  return {
    ...m,
    vocab_size: f.vocab_size ?? m.vocab_size,
    tie_word_embeddings: f.tie_word_embeddings ?? m.tie_word_embeddings,
    intermediate_size: f.intermediate_size ?? m.intermediate_size,
    num_key_value_heads: f.num_key_value_heads ?? m.num_key_value_heads,
    max_position_embeddings: f.max_position_embeddings ?? m.max_position_embeddings,
    layer_pattern: f.hybrid_override_pattern
      ? `hybrid_override_pattern '${f.hybrid_override_pattern}' (${m.layer_pattern ?? ""})`
      : m.layer_pattern,
    mamba: m.mamba && f.mamba_n_groups !== undefined ? { ...m.mamba, n_groups: f.mamba_n_groups } : m.mamba,
    source: [...m.source, f.config],
    notes: notes.filter(Boolean).join(" "),
  };
}

export function convert(modelsJson: string, modelsMd: string | null): { models: ModelInput[]; unmapped: string[] } {
  const ref = JSON.parse(modelsJson) as { models: RefModel[]; ollama_tags: RefTag[] };
  const md = modelsMd === null ? null : parseMdTable(modelsMd);
  const out: ModelInput[] = [];
  const byName = new Map<string, ModelInput>();
  for (const raw of ref.models) {
    const facts = PUBLISHED_CONFIGS[raw.name];
    const m = facts ? withPublishedConfig(raw, facts) : raw;
    const L = m.llamacpp;
    if (md) {
      const row = md.get(m.name);
      if (!row) throw new InputError(`${m.name}: no row in the Markdown table`);
      const mdVals = [mdNum(row[9]), mdNum(row[10]), mdNum(row[11])];
      const jsVals = [L.kv_bytes_per_token_f16, L.swa_kv_bytes_per_cell_f16, L.recurrent_state_bytes_per_seq_f32];
      if (mdVals.join() !== jsVals.join())
        throw new InputError(
          `${m.name}: the Markdown table (${mdVals}) and the JSON llamacpp block (${jsVals}) disagree`,
        );
    }
    const { arch, notes } = toArchitecture(m);
    const preset: ModelInput = {
      id: slugOf(m.name),
      name: m.name,
      family: m.family,
      hfId: m.hf_id,
      params: { totalB: m.total_params_b, activeB: m.active_params_b, effectiveB: m.effective_params_b },
      context: {
        native: m.native_context,
        max: m.extended_context ?? m.native_context,
        maxPositionEmbeddings: m.max_position_embeddings,
      },
      license: licenseOf(m.name),
      status: STATUS[m.status],
      source: primarySources(m),
      attention: { type: m.attention_type, layerPattern: m.layer_pattern },
      visionEncoder: m.vision_encoder,
      notes: [m.notes, ...notes.map((n) => `Conversion: ${n}.`)].filter(Boolean).join(" ") || null,
      architecture: arch,
      reference: {
        kvBytesPerTokenF16: L.kv_bytes_per_token_f16,
        swaKvBytesPerCellF16: L.swa_kv_bytes_per_cell_f16,
        recurrentStateBytesPerSeqF32: L.recurrent_state_bytes_per_seq_f32,
        kvLayers: L.kv_layers,
        recurrentLayers: L.recurrent_layers,
        source: REFERENCE_SOURCE,
        notes: L.notes,
      },
      weights: [],
    };
    if (byName.has(m.name)) throw new InputError(`duplicate model name ${m.name}`);
    byName.set(m.name, preset);
    out.push(preset);
  }

  const unmapped: string[] = [];
  const seenRefs = new Set<string>();
  for (const t of ref.ollama_tags) {
    const maps = TAGS.filter((x) => x.ref === t.tag);
    if (maps.length === 0) {
      if (!UNMAPPED.has(t.tag)) throw new InputError(`ollama tag row "${t.tag}" has no mapping`);
      unmapped.push(`${t.tag} → ${t.model}`);
      continue;
    }
    seenRefs.add(t.tag);
    for (const x of maps) {
      const p = byName.get(x.model);
      if (!p) throw new InputError(`tag ${x.tag}: no preset named ${x.model}`);
      const stated = x.size ?? t.size;
      p.weights.push({
        id: slugOf(`ollama-${x.tag.replace(/[:/]/g, "-")}`),
        ollamaTag: x.tag,
        aliases: x.aliases,
        publisher: x.tag.includes("/") ? x.tag.split("/")[0] : "Ollama library",
        ftype: x.ftype,
        ftypeStated: t.quant,
        bytes: displayedBytes(stated),
        bytesKind: "displayed",
        statedAs: t.size,
        includesVision: x.includesVision,
        listingStatus: listingStatus(t.status),
        source: sourceLink(t.source),
        notes:
          [
            x.includesVision
              ? "Ollama's qwen3.5 blobs include the vision tower (BF16), about 1 GB more than a text-only GGUF."
              : null,
            x.notes ?? null,
          ]
            .filter(Boolean)
            .join(" ") || null,
      });
    }
  }
  for (const x of TAGS)
    if (!seenRefs.has(x.ref)) throw new InputError(`mapping for "${x.ref}" matches no ollama_tags row`);
  for (const e of EXTRA) {
    const p = byName.get(e.model);
    if (!p) throw new InputError(`extra variant ${e.id}: no preset named ${e.model}`);
    const { model: _model, ...v } = e;
    p.weights.push({ ...v, bytes: v.bytes ?? (v.statedAs ? displayedBytes(v.statedAs) : null) });
  }
  return { models: out, unmapped };
}

const USAGE = "usage: node scripts/catalog/convert-models.ts --from <models.json> --md <models.md> [--out data/models]";

async function main(argv: string[]): Promise<number> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i];
    if (!["--from", "--md", "--out"].includes(k) || argv[i + 1] === undefined) {
      console.error(`${USAGE} (bad argument "${k}")`);
      return 2;
    }
    args.set(k, argv[i + 1]);
  }
  const fromArg = args.get("--from");
  const mdArg = args.get("--md");
  if (fromArg === undefined || mdArg === undefined) {
    console.error(`${USAGE} (--from and --md are required)`);
    return 2;
  }
  const from = resolve(fromArg);
  const mdPath = resolve(mdArg);
  const outDir = resolve(args.get("--out") ?? "data/models");
  let models: ModelInput[];
  let unmapped: string[];
  try {
    ({ models, unmapped } = convert(readFileSync(from, "utf8"), readFileSync(mdPath, "utf8")));
  } catch (e) {
    console.error(`convert-models: ${(e as Error).message}`);
    return 1;
  }
  const ids = new Set<string>();
  for (const m of models) {
    const r = ModelSchema.safeParse(m);
    if (!r.success) {
      console.error(`convert-models: ${m.id}: ${issueSummary(r.error.issues, { input: m })}`);
      return 1;
    }
    if (ids.has(m.id)) {
      console.error(`convert-models: duplicate id ${m.id}`);
      return 1;
    }
    ids.add(m.id);
  }
  // Write into a fresh sibling directory, then swap, so a failure leaves data/models untouched.
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  // Formatted as the repository's prettier config wants, so `npm run format:check` passes.
  for (const m of models) {
    const file = join(tmp, `${m.id}.json`);
    const options = { ...(await resolveConfig(join(outDir, `${m.id}.json`))), parser: "json" };
    writeFileSync(file, await format(JSON.stringify(m, null, 2), options));
  }
  rmSync(outDir, { recursive: true, force: true });
  renameSync(tmp, outDir);
  console.log(`convert-models: wrote ${models.length} presets to ${outDir} (${readdirSync(outDir).length} files)`);
  if (unmapped.length) console.log(`convert-models: tag rows without a preset: ${unmapped.join("; ")}`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
