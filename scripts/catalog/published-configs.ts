/**
 * Facts from the models' own published config.json files that the reference tables leave open,
 * applied by convert-models.ts on top of them. Each entry names its config.json and, where we read
 * the values from a verbatim copy of that file in another public repository, that copy; a value we
 * could not read from any copy of the config says so in `unverified` (and the preset keeps
 * status "partial").
 */

export interface PublishedConfigFacts {
  /** The model's config.json (the primary source). */
  readonly config: string;
  /** Where the values were read, when it is a copy of that config.json. */
  readonly readFrom: readonly string[];
  readonly mamba_n_groups?: number;
  readonly vocab_size?: number;
  readonly tie_word_embeddings?: boolean;
  readonly intermediate_size?: number;
  readonly num_key_value_heads?: number;
  /** GGUF context_length (llama.cpp's converter writes max_position_embeddings). */
  readonly max_position_embeddings?: number;
  /** Nemotron-H: one character per block (M = Mamba2, * = attention, - = MLP). */
  readonly hybrid_override_pattern?: string;
  /** Fields taken from a secondary statement rather than a copy of the config, with the reason. */
  readonly unverified?: string;
}

const HF = (repo: string) => `https://huggingface.co/${repo}/blob/main/config.json`;

/** Where the context of the presets without a config copy quoting it comes from. */
const CTX_TABLE =
  'the Transformers FalconH1 documentation table (https://huggingface.co/docs/transformers/model_doc/falcon_h1, "Ctx Len"), which gives the value read from the 0.5B, 3B and 7B config copies for those three';

export const PUBLISHED_CONFIGS: Record<string, PublishedConfigFacts> = {
  "Falcon-H1-0.5B": {
    config: HF("tiiuae/Falcon-H1-0.5B-Instruct"),
    readFrom: [
      "NVIDIA-NeMo/Megatron-Bridge tests/unit_tests/models/falcon_h1/test_falconh1_bridge.py (FALCON_H1_500M_CONFIG, the 0.5B config.json)",
    ],
    mamba_n_groups: 1,
    vocab_size: 32784,
    tie_word_embeddings: false,
    intermediate_size: 2048,
    max_position_embeddings: 16384,
  },
  "Falcon-H1-1.5B": {
    config: HF("tiiuae/Falcon-H1-1.5B-Instruct"),
    readFrom: ["a Falcon-H1-1.5B config.json quoted in a public sizing test (FALCON_H1: 24 layers, 2048 hidden)"],
    mamba_n_groups: 1,
    vocab_size: 65537,
    tie_word_embeddings: false,
    intermediate_size: 4608,
    max_position_embeddings: 131072,
    unverified: `max_position_embeddings 131072 (128K) is from ${CTX_TABLE}`,
  },
  "Falcon-H1-1.5B-Deep": {
    config: HF("tiiuae/Falcon-H1-1.5B-Deep-Instruct"),
    readFrom: ["a Falcon-H1-1.5B-Deep-Base profiling script (66 layers, hidden 1280, vocab 65,536, untied head)"],
    mamba_n_groups: 1,
    vocab_size: 65536,
    tie_word_embeddings: false,
    intermediate_size: 3072,
    max_position_embeddings: 131072,
    unverified:
      "intermediate_size 3072 and mamba_n_groups 1 are not read from a copy of this config: they are the only pair that reproduces both the official GGUF (tiiuae/Falcon-H1-1.5B-Deep-Instruct-GGUF, Falcon-H1-1.5B-Deep-Instruct-Q4_K_M.gguf, 938,465,920 B as quoted by a public app manifest: llama-quantize's Q4_K_M tensors of this geometry take 935,352,128 B, leaving 3.1 MB for the header and 65,536-token vocabulary; intermediate_size 2816 or 3328 would leave 42 MB or −36 MB, 2 groups −22 MB) and the model card's 1.55B parameters (1,554,770,832 with this geometry); every other Falcon-H1 config up to 7B has 1 group. " +
      `max_position_embeddings 131072 (128K) is from ${CTX_TABLE}`,
  },
  "Falcon-H1-3B": {
    config: HF("tiiuae/Falcon-H1-3B-Instruct"),
    readFrom: ["a Falcon-H1-3B config.json quoted in a public importer test (FALCON_H1_3B_HF)"],
    mamba_n_groups: 1,
    vocab_size: 65536,
    tie_word_embeddings: false,
    intermediate_size: 6144,
    max_position_embeddings: 131072,
  },
  "Falcon-H1-7B": {
    config: HF("tiiuae/Falcon-H1-7B-Instruct"),
    readFrom: [
      "a Falcon-H1-7B config.json quoted in a public importer test (FALCON_H1_7B_HF)",
      "mlx-community/Falcon-H1-7B-Instruct-4bit config.json as quoted in a public sizing test (mamba_n_groups 1)",
    ],
    mamba_n_groups: 1,
    vocab_size: 130048,
    tie_word_embeddings: false,
    intermediate_size: 12288,
    max_position_embeddings: 262144,
  },
  "Falcon-H1-34B": {
    config: HF("tiiuae/Falcon-H1-34B-Instruct"),
    readFrom: [
      "a Falcon-H1-34B config.json quoted in a public sizing test (mamba_d_ssm 4096, mamba_n_groups 2, max_position_embeddings 262144)",
    ],
    mamba_n_groups: 2,
    vocab_size: 261120,
    tie_word_embeddings: false,
    intermediate_size: 21504,
    max_position_embeddings: 262144,
    unverified:
      "vocab_size 261120 is the Falcon-H1 technical report's largest tokenizer (arXiv 2507.22448: vocabularies of 32K to 261K; llama.cpp's convert_hf_to_gguf_update.py lists a separate 34B tokenizer), not read from a copy of this config; it agrees with the official Q4_K_M GGUF's size as a public download menu quotes it (\"18.9\" GB, a unit its other entries use for GiB; llama-quantize's tensors of this geometry take 18.93 GiB, and each 1,000 tokens more or fewer moves that by 0.007 GiB)",
  },
  "Nemotron-H-56B-Base-8K": {
    config: HF("nvidia/Nemotron-H-56B-Base-8K"),
    readFrom: [
      "ai-dynamo/aiconfigurator aic-core/src/aiconfigurator_core/model_configs/nvidia--Nemotron-H-56B-Base-8K_config.json (verbatim copy)",
    ],
    num_key_value_heads: 8,
    intermediate_size: 32768,
    hybrid_override_pattern:
      "M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M*-M-M-M-M-M-",
  },
};
