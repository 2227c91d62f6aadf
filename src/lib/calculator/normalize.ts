/**
 * Keeps a state within what its engine accepts, from the catalog's KV type table alone (no
 * engine): when the user switches engine or flash attention, a K/V choice that became invalid is
 * replaced and the change is reported, never silently applied. Pure, tiny, in the initial JS.
 */
import type { KvTypeOption } from "./catalog.ts";
import { ENGINE_REVISIONS, type CalcKvType, type CalcState } from "./state.ts";

const QUANT = (t: string) => t !== "f32" && t !== "f16" && t !== "bf16";

export function accepts(kvTypes: readonly KvTypeOption[], engine: string, t: string): boolean {
  const k = kvTypes.find((x) => x.name === t);
  return k ? k.engines.includes(engine) : false;
}

/** Returns the corrected state and one sentence per correction. */
export function normalizeState(
  s: CalcState,
  kvTypes: readonly KvTypeOption[],
): { state: CalcState; changes: string[] } {
  const changes: string[] = [];
  const out = { ...s };
  if (!ENGINE_REVISIONS[out.engine].includes(out.revision)) out.revision = ENGINE_REVISIONS[out.engine][0];
  const fallback = (t: CalcKvType): CalcKvType => (accepts(kvTypes, out.engine, "q8_0") ? "q8_0" : t);
  const name = out.engine === "turboquant" ? "the TurboQuant fork" : out.engine === "ollama" ? "Ollama" : "llama.cpp";
  if (!accepts(kvTypes, out.engine, out.typeK)) {
    const to = fallback("f16");
    changes.push(`K type ${out.typeK} is not accepted by ${name}: set to ${to}.`);
    out.typeK = to;
  }
  if (!accepts(kvTypes, out.engine, out.typeV)) {
    const to = fallback("f16");
    changes.push(`V type ${out.typeV} is not accepted by ${name}: set to ${to}.`);
    out.typeV = to;
  }
  if (out.engine === "ollama" && out.typeV !== out.typeK) {
    changes.push(`Ollama uses one cache type for K and V (OLLAMA_KV_CACHE_TYPE): V set to ${out.typeK}.`);
    out.typeV = out.typeK;
  }
  if (out.engine !== "turboquant" && out.flashAttn === "off" && QUANT(out.typeV)) {
    changes.push(
      `A quantized V cache (${out.typeV}) needs flash attention: V set to f16 (or turn flash attention on).`,
    );
    out.typeV = "f16";
    if (out.engine === "ollama") out.typeK = "f16";
  }
  if (out.model !== "gguf" && out.model !== "custom" && out.arch !== null) out.arch = null;
  if (out.model !== "gguf" && out.ggufUrl !== null) out.ggufUrl = null;
  if (out.model !== "hf" && (out.hf !== null || out.hfFile !== null)) {
    out.hf = null;
    out.hfFile = null;
  }
  return { state: out, changes };
}
