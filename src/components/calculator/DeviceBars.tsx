/**
 * One stacked bar per device and the host (weights / KV / compute / overhead / output) from the
 * engine's placement, the binding device marked, and the same figures in a small table.
 * Each bar carries its bytes as data attributes (what the browser test compares).
 */
import type { DeviceBar, PlacementView } from "../../lib/calculator/placement-view.ts";
import { BAR_KINDS } from "../../lib/calculator/placement-machine.ts";
import { formatBinary } from "../../lib/format.ts";

const LABEL = { weights: "weights", kv: "KV / state", compute: "compute*", overhead: "overhead*", output: "output" };

/** Each bar is drawn against its own budget (or its total when larger): the fill is the share used. */
function Bar({ b }: { b: DeviceBar }) {
  const scale = Math.max(1, b.total, b.budget ?? 0);
  const pct = (x: number): string => `${((x / scale) * 100).toFixed(3)}%`;
  const over = b.budget !== null && b.total > b.budget;
  return (
    <li
      class={`calc-bars__row${b.binding ? " is-binding" : ""}${over ? " is-over" : ""}`}
      data-device={b.name}
      data-bytes={b.total}
      data-binding={b.binding ? "true" : "false"}
    >
      <span class="calc-bars__name">
        {b.name === "host" ? "host RAM" : b.name}
        {b.binding && <strong> · binding</strong>}
      </span>
      <span class="calc-bars__track" role="img" aria-label={`${b.name}: ${formatBinary(b.total)}`}>
        {BAR_KINDS.map((k) =>
          b.parts[k] > 0 ? (
            <span
              key={k}
              class={`calc-bars__seg calc-bars__seg--${k}`}
              style={{ width: pct(b.parts[k]) }}
              data-kind={k}
              data-bytes={b.parts[k]}
            />
          ) : null,
        )}
        {b.budget !== null && <span class="calc-bars__budget" style={{ left: pct(b.budget) }} />}
      </span>
      <span class="calc-bars__total">
        {formatBinary(b.total)}
        {b.budget !== null && ` of ${formatBinary(b.budget)}`}
      </span>
    </li>
  );
}

export function DeviceBars({ id, view }: { id: string; view: PlacementView }) {
  const shown = view.bars.filter((b) => b.total > 0 || b.name !== "host");
  return (
    <div class="calc-bars" id={`${id}-bars`}>
      {view.bindingNote && (
        <p class="calc-help" data-testid="calc-binding">
          {view.bindingNote}
        </p>
      )}
      <p class="calc-bars__legend muted">
        {BAR_KINDS.map((k) => (
          <span key={k}>
            <span class={`calc-bars__swatch calc-bars__seg--${k}`} /> {LABEL[k]}{" "}
          </span>
        ))}
        · the line marks each device's memory
      </p>
      <ul class="calc-bars__list">
        {shown.map((b) => (
          <Bar key={b.name} b={b} />
        ))}
      </ul>
      <table class="calc-table calc-bars__table">
        <caption>Per device (binary units; * = estimate)</caption>
        <thead>
          <tr>
            <th scope="col">device</th>
            {BAR_KINDS.map((k) => (
              <th key={k} scope="col">
                {LABEL[k]}
              </th>
            ))}
            <th scope="col">total</th>
            <th scope="col">layers</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((b) => (
            <tr key={b.name} data-device={b.name}>
              <th scope="row">{b.name}</th>
              {BAR_KINDS.map((k) => (
                <td key={k} data-bytes={b.parts[k]}>
                  {b.parts[k] ? formatBinary(b.parts[k]) : "–"}
                </td>
              ))}
              <td data-bytes={b.total}>{formatBinary(b.total)}</td>
              <td>{b.layers.length ? `${b.layers[0]}–${b.layers[b.layers.length - 1]}` : "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {view.notes.map((n, i) => (
        <p key={i} class="calc-help">
          {n}
        </p>
      ))}
    </div>
  );
}
