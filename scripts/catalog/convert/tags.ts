/**
 * Weight variants from Ollama tags: how each input tag row (the input's ollama_tags) maps onto a
 * preset. A table of data, one entry per row.
 */

export interface TagMap {
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
export const TAGS: TagMap[] = [
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
export const UNMAPPED = new Set(["qwq (32b)", "granite3.3 (8b)", "granite4:1b-h-q8_0", "nemotron-3-nano:4b"]);
