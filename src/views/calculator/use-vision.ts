/**
 * The vision projector of the calculator island: loads it (a local file, or the https URL the
 * state carries, header only), and applies it to the view through the lazily loaded engine.
 * A loaded projector replaces the catalog's F16 estimate (the `vision` box is unticked), so it is
 * never counted twice. `pending` is true while a projector the state names is not loaded yet (the island's
 * `data-pending`), so tests wait on committed state.
 */
import { useCallback, useEffect, useMemo, useState } from "preact/hooks";
import type * as ClientModule from "../../lib/calculator/client.ts";
import type { CalcState } from "../../lib/calculator/state.ts";
import type { LoadedProjector } from "../../lib/calculator/vision-load.ts";
import type { ProjectorFacts } from "../../schemas/projector.ts";
import type { VisionProjector } from "../../lib/engine/vision.ts";
import type { CalcView } from "../../lib/calculator/view.ts";

export interface VisionControls {
  projector: LoadedProjector | null;
  /** The projector sized for the state's image size and token limit (what the numbers use). */
  sized: VisionProjector | null;
  /** The model's projector from the catalog (data/projectors.json), when it has one: its name. */
  presetName: string | null;
  onPreset: () => void;
  busy: string | null;
  error: string | null;
  onFile: (f: File) => void;
  onUrl: (url: string) => void;
  onRemove: () => void;
}

const loader = () => import("../../lib/calculator/vision-load.ts");

/** A catalog preset's projector facts and the LLM's width (null: none for the current model). */
export interface PresetFacts {
  model: string;
  facts: ProjectorFacts;
  textEmbd: number;
}

/** `mmproj=preset`: the catalog model's projector, built from its facts (dropped when the model has none). */
function usePresetProjector(
  url: string | null,
  preset: PresetFacts | null,
  engineReady: boolean,
  proj: LoadedProjector | null,
  setProj: (p: LoadedProjector) => void,
  setError: (e: string | null) => void,
  update: (p: Partial<CalcState>) => void,
) {
  useEffect(() => {
    if (url !== "preset") return;
    if (!preset) {
      if (engineReady) update({ mmproj: null });
      return;
    }
    if (proj?.preset === preset.model) return;
    loader()
      .then((m) => (setProj(m.presetProjector(preset.model, preset.facts, preset.textEmbd)), setError(null)))
      .catch((e: unknown) => setError((e as Error).message));
  }, [url, preset, engineReady]);
}

export function useVision(
  state: CalcState,
  update: (p: Partial<CalcState>) => void,
  lib: typeof ClientModule | null,
  preset: PresetFacts | null,
) {
  const [proj, setProj] = useState<LoadedProjector | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const url = state.mmproj;
  usePresetProjector(url, preset, lib !== null, proj, setProj, setError, update);
  useEffect(() => {
    if (!url || url === "preset" || proj?.url === url) return;
    let alive = true;
    setBusy(`Reading the projector header from ${url}…`);
    loader()
      .then((m) => m.loadProjectorUrl(url))
      .then((p) => alive && (setProj(p), setError(null)))
      .catch((e: unknown) => alive && (setError(`${url}: ${(e as Error).message}`), update({ mmproj: null })))
      .finally(() => alive && setBusy(null));
    return () => void (alive = false);
  }, [url]);
  const active =
    proj &&
    (proj.preset ? url === "preset" && preset?.model === proj.preset : proj.url === null ? !url : proj.url === url)
      ? proj
      : null;
  useEffect(() => {
    if (active && state.vision) update({ vision: false });
  }, [active, state.vision]);
  const onFile = useCallback(
    (f: File) => {
      setBusy(`Reading the header of ${f.name}…`);
      loader()
        .then((m) => m.loadProjectorFile(f))
        .then((p) => (setProj(p), setError(null), update({ mmproj: null })))
        .catch((e: unknown) => setError(`${f.name}: ${(e as Error).message}`))
        .finally(() => setBusy(null));
    },
    [update],
  );
  const onUrl = useCallback(
    (u: string) => (/^https:\/\/\S+$/.test(u) ? update({ mmproj: u }) : setError(`Not an https:// URL: ${u}`)),
    [update],
  );
  const onRemove = useCallback(() => (setProj(null), update({ mmproj: null })), [update]);
  const use = useMemo(
    () => (active && lib ? lib.visionUse(active, state) : null),
    [active, lib, state.images, state.mmprojOffload, state.backend, state.imageSize, state.imageMaxTokens],
  );
  const onPreset = useCallback(() => update({ mmproj: "preset" }), [update]);
  const presetName = preset ? `the catalog's ${preset.model} projector` : null;
  const controls: VisionControls = {
    projector: active,
    sized: use?.v ?? null,
    presetName,
    onPreset,
    busy,
    error,
    onFile,
    onUrl,
    onRemove,
  };
  return {
    controls,
    reserve: use?.reserve ?? null,
    pending:
      busy !== null || (url !== null && active === null && error === null && (url !== "preset" || preset !== null)),
    apply: (v: CalcView): CalcView => (active && lib ? lib.withVision(v, active, state) : v),
  };
}
