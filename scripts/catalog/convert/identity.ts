/** A preset's id, license and status from the reference row. */
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

export function licenseOf(name: string): string | null {
  for (const [re, lic] of LICENSE) if (re.test(name)) return lic;
  return null;
}

export function slugOf(name: string): string {
  return name
    .replace(/\(.*?\)/g, "")
    .trim()
    .toLowerCase()
    .replace(/\//g, "-")
    .replace(/[^a-z0-9.]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
}

export const STATUS = { VERIFIED: "verified", CORROBORATED: "corroborated", PARTIAL: "partial" } as const;
