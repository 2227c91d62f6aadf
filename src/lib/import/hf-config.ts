/**
 * A Hugging Face `config.json` → the engine's architecture schema (pure, browser-safe).
 *
 * The config is first written as the GGUF metadata llama.cpp's converter would write for it
 * (convert_hf_to_gguf.py at de3ff81: `set_gguf_parameters` of each model class: block_count ←
 * num_hidden_layers, context_length ← max_position_embeddings, embedding_length ← hidden_size,
 * feed_forward_length ← intermediate_size, head_count ← num_attention_heads, head_count_kv ←
 * num_key_value_heads, key/value_length ← head_dim, expert_* ← the MoE keys), then mapped by the
 * same `ggufToArchitecture` a downloaded GGUF goes through — so an imported config and the GGUF
 * made from it get the same llama.cpp rules (SWA patterns, defaults, limits). Only the model
 * classes listed in HF_CLASSES are mapped; any other, or a missing key, is an HfConfigError naming
 * the class or the key.
 */
import type { Architecture } from "../../schemas/architecture.ts";
import { ggufToArchitecture, GgufMappingError } from "../gguf/map.ts";
import type { GgufMetadata, GgufValue } from "../gguf/header.ts";

export class HfConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HfConfigError";
  }
}

type Cfg = Record<string, unknown>;

interface ClassSpec {
  /** llama.cpp architecture name (`general.architecture`). */
  arch: string;
  /** The class keeps its text model under `text_config` (multimodal wrappers). */
  textConfig?: boolean;
  /** tie_word_embeddings default of the transformers config class. */
  tiedDefault: boolean;
  /** Extra metadata the converter writes for the class. */
  extra?: (c: Reader) => Record<string, GgufValue | null>;
  /**
   * Defaults of the transformers config class for keys a published config may omit: llama.cpp's
   * converter loads config.json through `AutoConfig.from_pretrained` (ModelBase.load_hparams in
   * conversion/base.py at de3ff81), so an omitted key takes the class's default there too.
   */
  defaults?: { cls: string; values: Readonly<Record<string, number>> };
}

/** Reads config keys, naming the missing or malformed one; omitted keys take the class defaults. */
class Reader {
  readonly cfg: Cfg;
  readonly where: string;
  readonly defaults: ClassSpec["defaults"] | null;
  /** The keys that took a class default, as `key = value (Class default)`. */
  readonly defaulted: string[] = [];
  constructor(cfg: Cfg, where: string, defaults: ClassSpec["defaults"] | null = null) {
    this.cfg = cfg;
    this.where = where;
    this.defaults = defaults;
  }
  opt(key: string): number | null {
    const v = this.cfg[key];
    if (v === undefined || v === null) {
      const d = this.defaults?.values[key];
      if (d === undefined) return null;
      this.defaulted.push(`${key} = ${d} (${this.defaults!.cls} default)`);
      return d;
    }
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
      throw new HfConfigError(`${this.where}: key "${key}" is ${JSON.stringify(v)}, expected a non-negative number`);
    return v;
  }
  req(key: string): number {
    const v = this.opt(key);
    if (v === null) throw new HfConfigError(`${this.where}: key "${key}" is missing (needed for the architecture)`);
    return v;
  }
  bool(key: string): boolean | null {
    const v = this.cfg[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== "boolean")
      throw new HfConfigError(`${this.where}: key "${key}" is ${JSON.stringify(v)}, expected true or false`);
    return v;
  }
}

/**
 * transformers' Gemma3TextConfig.__init__ defaults (src/transformers/models/gemma3/
 * configuration_gemma3.py, huggingface/transformers@008f5c8): Gemma 3's published configs omit
 * vocab_size and max_position_embeddings, which the class defaults fill. docs/memory-model.md#hf-import-defaults
 */
const GEMMA3_TEXT_DEFAULTS = {
  cls: "Gemma3TextConfig",
  values: {
    vocab_size: 262208,
    hidden_size: 2304,
    intermediate_size: 9216,
    num_hidden_layers: 26,
    num_attention_heads: 8,
    num_key_value_heads: 4,
    head_dim: 256,
    max_position_embeddings: 131072,
    sliding_window: 4096,
  },
} as const;

const moe = (c: Reader, experts: string): Record<string, GgufValue | null> => ({
  expert_count: c.opt(experts),
  expert_used_count: c.opt("num_experts_per_tok"),
});

/** transformers model classes (config `architectures[0]`) whose converter was read for this map. */
export const HF_CLASSES: Readonly<Record<string, ClassSpec>> = {
  LlamaForCausalLM: { arch: "llama", tiedDefault: false },
  MistralForCausalLM: { arch: "llama", tiedDefault: false },
  MixtralForCausalLM: {
    arch: "llama",
    tiedDefault: false,
    extra: (c) => ({ ...moe(c, "num_local_experts"), expert_feed_forward_length: null }),
  },
  Qwen2ForCausalLM: { arch: "qwen2", tiedDefault: false },
  Qwen3ForCausalLM: { arch: "qwen3", tiedDefault: false },
  Qwen2MoeForCausalLM: {
    arch: "qwen2moe",
    tiedDefault: false,
    extra: (c) => ({
      ...moe(c, "num_experts"),
      expert_feed_forward_length: c.opt("moe_intermediate_size"),
      expert_shared_feed_forward_length: c.opt("shared_expert_intermediate_size"),
    }),
  },
  Qwen3MoeForCausalLM: {
    arch: "qwen3moe",
    tiedDefault: false,
    extra: (c) => ({ ...moe(c, "num_experts"), expert_feed_forward_length: c.req("moe_intermediate_size") }),
  },
  Gemma2ForCausalLM: {
    arch: "gemma2",
    tiedDefault: true,
    extra: (c) => ({ "attention.sliding_window": c.opt("sliding_window") }),
  },
  Gemma3ForCausalLM: {
    arch: "gemma3",
    tiedDefault: true,
    defaults: GEMMA3_TEXT_DEFAULTS,
    extra: (c) => ({ "attention.sliding_window": c.opt("sliding_window") }),
  },
  Gemma3ForConditionalGeneration: {
    arch: "gemma3",
    textConfig: true,
    tiedDefault: true,
    defaults: GEMMA3_TEXT_DEFAULTS,
    extra: (c) => ({ "attention.sliding_window": c.opt("sliding_window") }),
  },
  Phi3ForCausalLM: {
    arch: "phi3",
    tiedDefault: false,
    extra: (c) => ({ "attention.sliding_window": c.opt("sliding_window") }),
  },
};

export interface HfArchitecture {
  architecture: Architecture;
  /** The transformers class that chose the mapping. */
  hfClass: string;
  /** The GGUF metadata the config was written as (what the converter would store). */
  metadata: GgufMetadata;
  /** Keys the config omitted that took the transformers class default (said in the import notes). */
  defaulted: string[];
}

function modelClass(cfg: Cfg, where: string): string {
  const list = cfg.architectures;
  if (!Array.isArray(list) || list.length === 0 || typeof list[0] !== "string")
    throw new HfConfigError(`${where}: key "architectures" is missing or empty; cannot tell which model class it is`);
  return list[0];
}

/**
 * Map a parsed config.json. `tied` (lm_head.weight absent from the safetensors) overrides the
 * config's tie_word_embeddings; `nParams` (Σ safetensors elements) fills n_params.
 */
export function hfConfigToArchitecture(
  raw: unknown,
  opts: { where?: string; name?: string | null; tied?: boolean | null; nParams?: number | null } = {},
): HfArchitecture {
  const where = opts.where ?? "config.json";
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw new HfConfigError(`${where}: not a JSON object`);
  const top = raw as Cfg;
  const hfClass = modelClass(top, where);
  const spec = HF_CLASSES[hfClass];
  if (!spec)
    throw new HfConfigError(
      `${where}: model class "${hfClass}" (key "architectures") is not supported: its llama.cpp conversion ` +
        `has not been mapped (supported: ${Object.keys(HF_CLASSES).join(", ")})`,
    );
  let cfg = top;
  let at = where;
  if (spec.textConfig) {
    const t = top.text_config;
    if (!t || typeof t !== "object") throw new HfConfigError(`${where}: key "text_config" is missing (${hfClass})`);
    cfg = t as Cfg;
    at = `${where} text_config`;
  }
  const c = new Reader(cfg, at, spec.defaults ?? null);
  const nHead = c.req("num_attention_heads");
  const a = spec.arch;
  const keys: Record<string, GgufValue | null> = {
    context_length: c.req("max_position_embeddings"),
    embedding_length: c.req("hidden_size"),
    block_count: c.req("num_hidden_layers"),
    feed_forward_length: c.req("intermediate_size"),
    "attention.head_count": nHead,
    "attention.head_count_kv": c.opt("num_key_value_heads") ?? nHead,
    "attention.key_length": c.opt("head_dim"),
    "attention.value_length": c.opt("head_dim"),
    vocab_size: c.req("vocab_size"),
    ...(spec.extra?.(c) ?? {}),
  };
  const metadata: GgufMetadata = { "general.architecture": a };
  if (opts.name) metadata["general.name"] = opts.name;
  for (const [k, v] of Object.entries(keys)) if (v !== null) metadata[`${a}.${k}`] = v;
  let arch: Architecture;
  try {
    arch = ggufToArchitecture(metadata);
  } catch (e) {
    if (e instanceof GgufMappingError) throw new HfConfigError(`${where}: ${e.message}`);
    throw e;
  }
  const tiedCfg = new Reader(top, where).bool("tie_word_embeddings") ?? c.bool("tie_word_embeddings");
  return {
    architecture: {
      ...arch,
      tied_embeddings: opts.tied ?? tiedCfg ?? spec.tiedDefault,
      n_params: opts.nParams ?? null,
    },
    hfClass,
    metadata,
    defaulted: c.defaulted,
  };
}
