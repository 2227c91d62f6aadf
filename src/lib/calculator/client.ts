/**
 * Everything the calculator island loads lazily after its first paint, behind one dynamic
 * import: the engine (through the view model), custom architectures and run overlays.
 * (The GGUF reader and Observable Plot are separate lazy chunks.)
 */
export { computeAtCtx, computeStatic, ctxSuggestions, staticKey, wantsSuggestions } from "./view.ts";
export type { CalcView, CtxView, LoadedModel, StaticView } from "./view.ts";
export { encodeCustom, loadCustom, parseArchitecture } from "./custom.ts";
export { parseRunJson } from "./run-upload.ts";
export { parseState } from "./state-schema.ts";
export { visionUse, withVision } from "./vision-view.ts";
export { draftTotalText, resolveDraft, withDraft } from "./draft-view.ts";
export { fitPatch, placementView } from "./placement-view.ts";
export type { PlacementModel, PlacementView } from "./placement-view.ts";
