/**
 * The draft model of the island: resolved from the state through the lazily loaded engine
 * (src/lib/calculator/draft-view.ts) and applied to the view.
 */
import { useMemo } from "preact/hooks";
import type * as ClientModule from "../../lib/calculator/client.ts";
import type { CalcCatalog } from "../../lib/calculator/catalog.ts";
import type { CalcState } from "../../lib/calculator/state.ts";
import type { CalcView, Resolved } from "../../lib/calculator/view.ts";

export function useDraft(state: CalcState, lib: typeof ClientModule | null, catalog: CalcCatalog | null) {
  const d = useMemo(
    () => (lib && catalog ? lib.resolveDraft(state, catalog) : null),
    // staticKey covers every field the draft's configuration reads (all but ctx and view).
    [lib, catalog, lib && lib.staticKey(state)],
  );
  const info = !d || !lib ? null : "error" in d ? d.error : lib.draftTotalText(d, state.ctx);
  return {
    info,
    error: d !== null && "error" in d,
    apply: (v: CalcView, target: Resolved | null = null): CalcView =>
      d && lib ? lib.withDraft(v, d, state, target) : v,
  };
}
