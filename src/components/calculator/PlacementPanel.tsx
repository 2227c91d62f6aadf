/**
 * The machine: one device as before (a Mac's working-set limit or one GPU's budget, set by the
 * hardware and budget inputs) or a PC with GPUs, RAM and RPC servers (`pc=`). For a PC it shows
 * the engine's placement per device and offers the fit solver ("fit it for me").
 */
import { useMemo, useState } from "preact/hooks";
import type * as ClientModule from "../../lib/calculator/client.ts";
import type { LightCatalog } from "../../lib/calculator/catalog.ts";
import type { CalcState } from "../../lib/calculator/state.ts";
import {
  DEFAULT_MACHINE,
  encodeMachine,
  gpuCatalog,
  parseMachine,
  type MachineSpec,
} from "../../lib/calculator/placement-machine.ts";
import { DeviceBars } from "./DeviceBars.tsx";
import { MachineBuilder } from "./MachineBuilder.tsx";
import { PlacementControls } from "./PlacementControls.tsx";
import { onChecked } from "../../views/calculator/input-events.ts";

export interface PlacementPanelProps {
  idPrefix: string;
  state: CalcState;
  light: LightCatalog;
  lib: typeof ClientModule | null;
  /** The resolved model (architecture + tensor table), null while loading or on error. */
  model: ClientModule.PlacementModel | null;
  update: (patch: Partial<CalcState>) => void;
}

export function PlacementPanel(p: PlacementPanelProps) {
  const { idPrefix, state, light, lib, model, update } = p;
  const id = `${idPrefix}-pc`;
  const gpus = useMemo(() => gpuCatalog(light.hardware), [light]);
  const options = useMemo(() => [...gpus.values()], [gpus]);
  const parsed = useMemo(
    () => (state.machine === "" ? null : parseMachine(state.machine, gpus)),
    [state.machine, gpus],
  );
  const spec = parsed && parsed.ok ? parsed.spec : null;
  const [fit, setFit] = useState<{ text: string; flags: string[] | null; notes?: string[] } | null>(null);
  const view = useMemo(
    () => (lib && model && spec ? lib.placementView(model, state, spec) : null),
    [lib, model, spec, state],
  );
  const set = (s: MachineSpec) => {
    setFit(null);
    update({ machine: encodeMachine(s) });
  };
  // The solver tries many placements (a second or more for a large model): say so, then run it.
  const onFit = () => {
    if (!lib || !model || !spec) return;
    setFit({ text: "Fitting…", flags: null });
    requestAnimationFrame(() =>
      setTimeout(() => {
        const r = lib.fitPatch(model, state, spec);
        if (r.ok) update(r.patch);
        setFit(
          r.ok ? { text: "Fitted by the solver:", flags: r.flags, notes: r.notes } : { text: r.error, flags: null },
        );
      }, 0),
    );
  };
  // Nothing without the engine: the build's first paint (and a page without JavaScript) has no machine panel.
  if (!lib) return null;
  return (
    <fieldset class="calc-fs calc-pc-panel" id={id} data-machine={spec ? "pc" : "one"}>
      <legend>Machine</legend>
      <div class="calc-field calc-check">
        <input
          id={`${id}-on`}
          type="checkbox"
          checked={spec !== null}
          onChange={onChecked((on) =>
            on ? update({ machine: encodeMachine(DEFAULT_MACHINE), backend: "cuda" }) : update({ machine: "" }),
          )}
        />
        <label for={`${id}-on`}>A PC with GPUs (otherwise one device: the Mac or GPU budget above)</label>
      </div>
      {spec && (
        <>
          <MachineBuilder id={id} spec={spec} gpus={options} set={set} />
          <PlacementControls id={id} spec={spec} nBlocks={model?.arch.block_count ?? 1} set={set} />
          <button type="button" class="calc-btn" id={`${id}-fit`} disabled={!model} onClick={onFit}>
            Fit it for me
          </button>
          {fit && (
            <p class="calc-help" data-testid="calc-fit" role="status">
              {fit.text} {fit.flags && <code>{fit.flags.join(" ")}</code>}
              {fit.notes?.map((n) => (
                <span class="calc-fit-note" key={n}>
                  {" "}
                  {n}
                </span>
              ))}
            </p>
          )}
          {view?.error && (
            <p class="calc-help" role="alert">
              {view.error}
            </p>
          )}
          {view && !view.error && <DeviceBars id={id} view={view} />}
        </>
      )}
    </fieldset>
  );
}
