/**
 * Everything the calculator island loads lazily after its first paint, behind one dynamic
 * import: the engine (through the view model) and what it draws. No schema is evaluated here: the
 * catalog was validated at build time; input from strangers (links, architectures, run files) is
 * validated by client-validate.ts, a separate chunk loaded after the first answer or when a link
 * must be read. (The GGUF reader and Observable Plot are separate lazy chunks too.)
 */
export {
  adoptStatic,
  adoptWeights,
  computeAtCtx,
  computeStatic,
  computeStaticBase,
  ctxSuggestions,
  staticKey,
  wantsSuggestions,
  withMeasured,
} from "./view.ts";
export type { CalcView, CtxView, LoadedModel, StaticView } from "./view.ts";
export { encodeCustom } from "./custom-payload.ts";
export { visionUse, withVision } from "./vision-view.ts";
export { draftTotalText, resolveDraft, withDraft } from "./draft-view.ts";
export { fitPatch, placementView } from "./placement-view.ts";
export type { PlacementModel, PlacementView } from "./placement-view.ts";
