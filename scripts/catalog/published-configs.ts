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
  /** Nemotron-H: one character per block (M = Mamba2, * = attention, - = MLP). */
  readonly hybrid_override_pattern?: string;
  /** Fields taken from a secondary statement rather than a copy of the config, with the reason. */
  readonly unverified?: string;
}

const HF = (repo: string) => `https://huggingface.co/${repo}/blob/main/config.json`;

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
  },
  "Falcon-H1-1.5B": {
    config: HF("tiiuae/Falcon-H1-1.5B-Instruct"),
    readFrom: ["a Falcon-H1-1.5B config.json quoted in a public sizing test (FALCON_H1: 24 layers, 2048 hidden)"],
    mamba_n_groups: 1,
    vocab_size: 65537,
    tie_word_embeddings: false,
    intermediate_size: 4608,
  },
  "Falcon-H1-1.5B-Deep": {
    config: HF("tiiuae/Falcon-H1-1.5B-Deep-Instruct"),
    readFrom: ["a Falcon-H1-1.5B-Deep-Base profiling script (66 layers, hidden 1280, vocab 65,536, untied head)"],
    mamba_n_groups: 1,
    vocab_size: 65536,
    tie_word_embeddings: false,
    unverified:
      "mamba_n_groups 1 is not read from a copy of this config: it is the value of every other Falcon-H1 config up to 7B (0.5B, 1.5B, 3B, 7B); one group more would add 6 KiB of conv state per layer",
  },
  "Falcon-H1-3B": {
    config: HF("tiiuae/Falcon-H1-3B-Instruct"),
    readFrom: ["a Falcon-H1-3B config.json quoted in a public importer test (FALCON_H1_3B_HF)"],
    mamba_n_groups: 1,
    vocab_size: 65536,
    tie_word_embeddings: false,
    intermediate_size: 6144,
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
  },
  "Falcon-H1-34B": {
    config: HF("tiiuae/Falcon-H1-34B-Instruct"),
    readFrom: ["a Falcon-H1-34B config.json quoted in a public sizing test (mamba_d_ssm 4096, mamba_n_groups 2)"],
    mamba_n_groups: 2,
    vocab_size: 261120,
    tie_word_embeddings: false,
    intermediate_size: 21504,
    unverified:
      "vocab_size 261120 is the Falcon-H1 technical report's largest tokenizer (arXiv 2507.22448: vocabularies of 32K to 261K; llama.cpp's convert_hf_to_gguf_update.py lists a separate 34B tokenizer), not read from a copy of this config",
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
