/**
 * The calculator's two tables: the memory breakdown (one row per component, with totals and the
 * budget) and the per-layer groups that explain the KV size. Figures come from the view model.
 */
import type { CalcView } from "../../lib/calculator/view.ts";
import { formatBinary, formatDecimal, groupDigits, mib } from "../../lib/format.ts";

/** Each component's colour class, shared by the stacked bar and the breakdown's swatches. */
export const SEGMENT: Record<string, string> = {
  weights: "seg-weights",
  vision: "seg-vision",
  k: "seg-k",
  v: "seg-v",
  rot: "seg-rot",
  rs: "seg-rs",
  out: "seg-out",
  compute: "seg-compute",
  overhead: "seg-overhead",
};

function Estimate({ uncalibrated }: { uncalibrated: boolean }) {
  return <span class="calc-tag calc-tag--est">{uncalibrated ? "uncalibrated estimate" : "estimate"}</span>;
}

/** Component, GiB, MiB and how, with the total and (one-device budget) the budget line. */
export function BreakdownTable({ view }: { view: CalcView }) {
  const { s, c } = view;
  const budget = s.budget;
  const limit = budget.lineBytes;
  return (
    <div class="table-wrap">
      <table class="calc-table calc-breakdown" aria-label="Memory breakdown">
        <thead>
          <tr>
            <th scope="col">Component</th>
            <th scope="col" class="num calc-col-gib">
              GiB
            </th>
            <th scope="col" class="num">
              MiB
            </th>
            <th scope="col">How</th>
          </tr>
        </thead>
        <tbody>
          {c.components.map((x) => (
            <tr key={x.key} data-key={x.key}>
              <th scope="row">
                <span class={`calc-swatch ${SEGMENT[x.key] ?? ""}`} aria-hidden="true" />
                {x.label}
                {x.estimate && (
                  <>
                    {" "}
                    <Estimate uncalibrated={x.uncalibrated} />
                  </>
                )}
              </th>
              <td class="num calc-col-gib">{(x.bytes / 1024 ** 3).toFixed(3)}</td>
              <td class="num" data-bytes={x.bytes}>
                {mib(x.bytes).replace(" MiB", "")}
              </td>
              <td class="calc-how">
                {x.range && (
                  <strong class="calc-range">
                    range {formatBinary(x.range[0])} – {formatBinary(x.range[1])}
                    {x.range[1] > x.range[0] && x.rangeSource ? ` (${x.rangeSource})` : ""}.{" "}
                  </strong>
                )}
                {x.detail}
              </td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total (device + host)</th>
            <td class="num calc-col-gib">{(c.total / 1024 ** 3).toFixed(3)}</td>
            <td class="num">{mib(c.total).replace(" MiB", "")}</td>
            <td>
              device {formatBinary(c.device)}, host {formatBinary(c.host)}
            </td>
          </tr>
          {limit !== null && !s.pc && (
            <tr>
              <th scope="row">Budget ({budget.pool === "device" ? "device memory" : "total"})</th>
              <td class="num calc-col-gib">{(limit / 1024 ** 3).toFixed(3)}</td>
              <td class="num">{mib(limit).replace(" MiB", "")}</td>
              <td>
                {formatDecimal(limit)}; free {formatBinary(limit - c.poolBytes)}
              </td>
            </tr>
          )}
        </tfoot>
      </table>
    </div>
  );
}

/** Per-layer groups: why the KV is what it is. */
export function LayerTable({ c }: { c: CalcView["c"] }) {
  return (
    <details class="calc-layers">
      <summary>Per-layer table: why the KV is what it is ({c.layerGroups.length} groups)</summary>
      <div class="table-wrap">
        <table class="calc-table" aria-label="Layer groups">
          <thead>
            <tr>
              <th scope="col">Layers</th>
              <th scope="col">Kind</th>
              <th scope="col" class="num">
                Cells
              </th>
              <th scope="col" class="num">
                KV heads
              </th>
              <th scope="col" class="num">
                Head dim K/V
              </th>
              <th scope="col" class="num">
                Row width K/V
              </th>
              <th scope="col">Types</th>
              <th scope="col" class="num">
                Per layer
              </th>
              <th scope="col" class="num">
                Group total
              </th>
              <th scope="col">Where</th>
            </tr>
          </thead>
          <tbody>
            {c.layerGroups.map((g) => (
              <tr key={g.layers[0]}>
                <td>
                  {g.layers.length} × {g.layerText}
                </td>
                <td>{g.label}</td>
                <td class="num">
                  {g.cells !== null
                    ? `${groupDigits(g.cells)}${g.streams && g.streams > 1 ? ` × ${g.streams}` : ""}`
                    : "—"}
                </td>
                <td class="num">{g.nHeadKv ?? "—"}</td>
                <td class="num">{g.headK !== null ? `${g.headK}/${g.headV}` : "—"}</td>
                <td class="num">
                  {g.kWidth !== null
                    ? `${g.kWidth}/${g.vWidth}`
                    : g.rWidth !== null
                      ? `r ${groupDigits(g.rWidth)} / s ${groupDigits(g.sWidth ?? 0)}`
                      : "—"}
                </td>
                <td>{g.typeK ? `${g.typeK}/${g.typeV ?? "—"}` : g.rWidth !== null ? "f32" : "—"}</td>
                <td class="num">{mib(g.bytesPerLayer)}</td>
                <td class="num">{mib(g.bytes)}</td>
                <td>{g.device ? (g.device === "CPU" ? "host (CPU)" : `GPU (${g.device})`) : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
