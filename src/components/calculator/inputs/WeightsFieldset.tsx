/** The weights: ftype (fixed by a GGUF's own tensors), what it implies in memory, and the vision encoder. */
import { useMemo } from "preact/hooks";
import type { LightCatalog } from "../../../lib/calculator/catalog.ts";
import type { ModelInfo } from "../../../lib/calculator/view.ts";
import { formatBinary, formatDecimal } from "../../../lib/format.ts";
import { memo } from "../../../views/calculator/memo.ts";
import { onChecked, onValue } from "../../../views/calculator/input-events.ts";
import { selectHtml } from "../../../views/calculator/options-html.ts";
import type { Update } from "../../../views/calculator/use-calc-state.ts";

export const WeightsFieldset = memo(function WeightsFieldset(p: {
  id: string;
  ftype: string;
  ftypes: LightCatalog["ftypes"];
  model: ModelInfo | null;
  vision: boolean;
  weightsBytes: number | null;
  weightsEstimate: boolean;
  /** The long option lists are in (options-html.ts). */
  lists: boolean;
  update: Update;
}) {
  const { id, model, update } = p;
  // The options as one HTML string, made once per list once the lists are in (options-html.ts).
  const html = useMemo(
    () =>
      selectHtml(
        p.ftypes.map((f) => ({
          value: f.id,
          text: `${f.id} (${f.typicalBpw ?? f.nominalBpw} bpw${f.typicalBpw ? " typical" : " nominal"})`,
        })),
        p.ftype,
        p.lists,
      ),
    [p.ftypes, p.lists, p.lists || p.ftype],
  );
  return (
    <fieldset class="calc-fs">
      <legend>Weights</legend>
      <div class="calc-field">
        <label for={`${id}-ftype`}>Weights type (ftype)</label>
        <select
          id={`${id}-ftype`}
          value={p.ftype}
          disabled={model?.exactWeights}
          onChange={onValue((ftype) => update({ ftype }))}
          dangerouslySetInnerHTML={html}
        />
        {p.weightsBytes !== null && (
          <span class="calc-help">
            {model?.exactWeights ? `Exact from the GGUF (${model.tensorsFtype ?? "ftype unknown"}): ` : "Implies "}
            <strong>{formatBinary(p.weightsBytes)}</strong> ({formatDecimal(p.weightsBytes)}) in memory
            {p.weightsEstimate ? " — estimate" : ""}.
          </span>
        )}
        {model && model.variants.length > 0 && (
          <ul class="calc-help calc-variants">
            {model.variants.map((v, i) => (
              <li key={i}>
                {v.label}: {formatDecimal(v.bytes)} ({v.kind}
                {v.vision ? ", includes the vision encoder" : ""})
              </li>
            ))}
          </ul>
        )}
      </div>
      <div class="calc-field calc-check">
        <input
          id={`${id}-vision`}
          type="checkbox"
          checked={p.vision}
          disabled={!model?.vision.available}
          onChange={onChecked((vision) => update({ vision }))}
        />
        <label for={`${id}-vision`}>
          Count the vision encoder
          {model?.vision.reason ? <span class="calc-help"> (unavailable: {model.vision.reason})</span> : ""}
        </label>
      </div>
    </fieldset>
  );
});
