import type { Note } from "../../schemas/breakdown.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import { isQuantizedKvType, isTurboType, kvTypesAccepted } from "../kv-types.ts";
import { EngineError } from "./errors.ts";
import { kvTypeTraits } from "./ggml-types.ts";
import type { ResolvedArchitecture } from "./layers.ts";

/**
 * Validate the configuration against the profile and resolve FA. Throws for combinations that
 * llama.cpp (or the profile) rejects.
 */
export function resolveFa(config: RuntimeConfig, notes: Note[]): boolean {
  const p = config.engine;
  const anyTurbo = isTurboType(config.type_k) || isTurboType(config.type_v);
  if (anyTurbo && p.name !== "turboquant")
    throw new EngineError(
      "unsupported-config",
      `Unsupported cache type: ${isTurboType(config.type_k) ? config.type_k : config.type_v} (turbo types need the turboquant engine profile)`,
      isTurboType(config.type_k) ? "type_k" : "type_v",
    );
  if (p.name === "ollama") {
    const accepted = kvTypesAccepted("ollama");
    for (const [t, field] of [
      [config.type_k, "type_k"],
      [config.type_v, "type_v"],
    ] as const)
      if (!accepted.includes(t))
        throw new EngineError(
          "unsupported-config",
          `ollama does not accept KV cache type ${t}: OLLAMA_KV_CACHE_TYPE takes ${accepted.join(", ")}`,
          field,
        );
  }
  if (p.name === "ollama" && config.type_k !== config.type_v)
    throw new EngineError(
      "unsupported-config",
      `ollama has one KV type (OLLAMA_KV_CACHE_TYPE): type_k ${config.type_k} and type_v ${config.type_v} must be equal`,
      "type_v",
    );
  let fa: boolean;
  if (config.flash_attn === "on") fa = true;
  else if (config.flash_attn === "off") fa = false;
  else {
    fa = true;
    notes.push({
      code: "fa-auto-resolved",
      level: "info",
      message: "flash attention auto resolved to on (the backend supports it)",
    });
  }
  if (anyTurbo && !fa) {
    fa = true;
    notes.push({
      code: "turbo-fa-forced",
      level: "info",
      message: "turbo cache types require flash_attn — enabled automatically",
    });
  }
  if (!fa && isQuantizedKvType(config.type_v))
    throw new EngineError(
      "unsupported-config",
      `quantized V cache was requested (${config.type_v}), but this requires Flash Attention (use --fa on or an f16/bf16/f32 V cache)`,
      "type_v",
    );
  return fa;
}

/**
 * Model-dependent refusals of llama.cpp's context constructor (verified against de3ff81):
 * - with flash attention (on or auto), a quantized K (V) type's block must divide the K (V) head
 *   dim: "K cache type q8_0 with block size 32 does not divide n_embd_head_k=80";
 * - an MLA model refuses different K and V types (current rules).
 */
export function checkTypesForModel(
  r: ResolvedArchitecture,
  config: RuntimeConfig,
  fa: boolean,
  current: boolean,
): void {
  if (fa) {
    for (const [t, which] of [
      [config.type_k, "k"],
      [config.type_v, "v"],
    ] as const) {
      if (!isQuantizedKvType(t) || isTurboType(t)) continue;
      if (which === "v" && r.is_mla) continue;
      const blck = kvTypeTraits(t, config.engine).blck;
      for (const l of r.layers) {
        if (!l.kv || l.n_head_kv === 0) continue;
        const head = which === "k" ? l.head_k : l.head_v;
        if (head % blck !== 0)
          throw new EngineError(
            "block-size",
            `${which.toUpperCase()} cache type ${t} with block size ${blck} does not divide n_embd_head_${which}=${head} (flash attention needs whole blocks per head)`,
            which === "k" ? "type_k" : "type_v",
          );
      }
    }
  }
  // Upstream's llama_context refuses this; the TurboQuant fork (69d8e4be) has no such check.
  if (current && config.engine.name !== "turboquant" && r.is_mla && config.type_k !== config.type_v)
    throw new EngineError(
      "unsupported-config",
      `model does not support different K (${config.type_k}) and V (${config.type_v}) cache types (MLA)`,
      "type_v",
    );
}
