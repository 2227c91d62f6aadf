/** Partial offload: GPU layers (-ngl) and the most that fit. */
import { formatBinary } from "../../../lib/format.ts";
import { memo } from "../../../views/calculator/memo.ts";
import { onChecked, onInteger } from "../../../views/calculator/input-events.ts";
import type { Update } from "../../../views/calculator/use-calc-state.ts";

export const GpuFieldset = memo(function GpuFieldset(p: {
  id: string;
  ngl: number;
  nLayers: number;
  deviceBytes: number;
  hostBytes: number;
  maxLayersFit: number | null;
  update: Update;
}) {
  const { id, nLayers, update } = p;
  return (
    <fieldset class="calc-fs">
      <legend>GPU offload</legend>
      <div class="calc-field calc-check">
        <input
          id={`${id}-ngl-all`}
          type="checkbox"
          checked={p.ngl < 0}
          onChange={onChecked((all) => update({ nGpuLayers: all ? -1 : Math.max(0, nLayers - 1) }))}
        />
        <label for={`${id}-ngl-all`}>All layers on the GPU</label>
      </div>
      <div class="calc-field calc-field--inline">
        <label for={`${id}-ngl`}>GPU layers (-ngl, counts the output layer)</label>
        <input
          id={`${id}-ngl`}
          type="number"
          min={0}
          max={nLayers}
          value={p.ngl < 0 ? nLayers : p.ngl}
          onChange={onInteger(0, Infinity, (v) => update({ nGpuLayers: v >= nLayers ? -1 : v }))}
        />
      </div>
      <p class="calc-help">
        GPU: {formatBinary(p.deviceBytes)}; host: {formatBinary(p.hostBytes)}.{" "}
        {p.maxLayersFit === null
          ? "Not even 0 GPU layers fit this budget at this context."
          : p.maxLayersFit >= nLayers
            ? `All ${nLayers} layers fit.`
            : `At most ${p.maxLayersFit} of ${nLayers} layers fit.`}
      </p>
    </fieldset>
  );
});
