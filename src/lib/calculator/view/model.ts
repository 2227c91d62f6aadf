/**
 * The model the state names: a catalog preset (its architecture parsed at build time), or a GGUF header /
 * custom architecture the user loaded.
 */
import { resolveLayers } from "../../engine/layers.ts";
import type { CalcCatalog } from "../catalog.ts";
import { isLoadedModelId, type CalcState } from "../state.ts";
import type { LoadedModel, Resolved } from "./types.ts";

export function resolveModel(state: CalcState, catalog: CalcCatalog, loaded: LoadedModel | null): Resolved {
  if (isLoadedModelId(state.model)) {
    if (!loaded)
      throw new Error(
        state.model === "gguf"
          ? "Load a GGUF file or URL to size it."
          : state.model === "hf"
            ? "Reading the Hugging Face repo…"
            : "No custom architecture loaded.",
      );
    const a = loaded.architecture;
    const r = resolveLayers(a);
    return {
      arch: a,
      tensors: loaded.tensors,
      tensorsFtype: loaded.tensorsFtype,
      model: {
        id: state.model,
        name: loaded.kind !== "custom" ? `${a.name ?? a.arch} (${loaded.name})` : (a.name ?? `custom ${a.arch}`),
        family: null,
        arch: a.arch,
        source: loaded.kind,
        fileName: loaded.kind === "hf" ? loaded.url : loaded.name,
        blockCount: a.block_count,
        trainCtx: a.context_length,
        hasSwa: r.has_swa,
        hasRecurrent: r.recurrent_widths !== null,
        isMla: r.is_mla,
        paramsB: a.n_params ? a.n_params / 1e9 : null,
        vision: {
          available: false,
          reason: "a GGUF's vision encoder is a separate mmproj file: read it in the vision projector box",
          bytes: 0,
        },
        variants: [],
        ollamaTag: null,
        hfId: loaded.kind === "hf" && !loaded.tensors ? loaded.name : null,
        exactWeights: loaded.tensors !== null,
        tensorsFtype: loaded.tensorsFtype,
      },
    };
  }
  const m = catalog.models.find((x) => x.id === state.model);
  if (!m) throw new Error(`Model "${state.model}" is not in the catalog.`);
  // parsed by the engine's schema at build time (catalog.ts): no schema runs in the browser
  const a = m.architecture;
  const r = resolveLayers(a);
  const visionBytes = a.n_params_vision ? a.n_params_vision * 2 : 0;
  return {
    arch: a,
    tensors: null,
    tensorsFtype: null,
    model: {
      id: m.id,
      name: m.name,
      family: m.family,
      arch: a.arch,
      source: "catalog",
      fileName: null,
      blockCount: a.block_count,
      trainCtx: a.context_length,
      hasSwa: r.has_swa,
      hasRecurrent: r.recurrent_widths !== null,
      isMla: r.is_mla,
      paramsB: m.paramsB,
      vision: !m.visionEncoder
        ? { available: false, reason: "the model has no vision encoder", bytes: 0 }
        : visionBytes
          ? { available: true, reason: null, bytes: visionBytes }
          : { available: false, reason: "the vision encoder's size is not in the catalog yet", bytes: 0 },
      variants: m.variants,
      ollamaTag: m.ollamaTag,
      hfId: m.hfId,
      exactWeights: false,
      tensorsFtype: null,
    },
  };
}
