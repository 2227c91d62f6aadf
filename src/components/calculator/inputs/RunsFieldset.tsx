/** Measured runs on the chart, and the user's own run JSON overlaid (stays on this device). */
import { useState } from "preact/hooks";
import type { MeasuredRunOption } from "../../../lib/calculator/catalog.ts";
import type { StaticView } from "../../../lib/calculator/view.ts";
import { memo } from "../../../views/calculator/memo.ts";
import { onFile } from "../../../views/calculator/input-events.ts";

export const RunsFieldset = memo(function RunsFieldset(p: {
  id: string;
  runs: StaticView["measuredRuns"];
  ready: boolean;
  extraRuns: MeasuredRunOption[];
  onRunFile: (f: File) => Promise<string[]>;
}) {
  const [runErrors, setRunErrors] = useState<string[]>([]);
  return (
    <fieldset class="calc-fs">
      <legend>Measured runs</legend>
      <p class="calc-help">
        {p.runs.length
          ? `On the chart: ${p.runs.map((r) => `${r.title} (${r.points} points)`).join("; ")}.`
          : "No ingested run matches this model."}{" "}
        A run matches when it names this catalog model, or has the same architecture and KV geometry (within 0.5 %).
      </p>
      <div class="calc-field">
        <label for={`${p.id}-run-file`}>
          Overlay your own run (run JSON written by npm run ingest; stays on this device)
        </label>
        <input
          id={`${p.id}-run-file`}
          type="file"
          accept=".json,application/json"
          disabled={!p.ready}
          onChange={onFile(async (f) => setRunErrors(await p.onRunFile(f)))}
        />
      </div>
      {p.extraRuns.length > 0 && <p class="calc-help">Loaded: {p.extraRuns.map((r) => r.id).join(", ")}</p>}
      {runErrors.length > 0 && (
        <ul class="calc-error" role="alert">
          {runErrors.map((e, i) => (
            <li key={i}>{e}</li>
          ))}
        </ul>
      )}
    </fieldset>
  );
});
