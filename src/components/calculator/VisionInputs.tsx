/**
 * The vision box: a projector (mmproj GGUF, header only) from a local file or an https URL,
 * images per request and `--no-mmproj-offload`. What it adds to the numbers is computed by
 * src/lib/calculator/vision-view.ts; a local projector stays on this device and is not linked.
 */
import { memo } from "../../views/calculator/memo.ts";
import { useState } from "preact/hooks";
import type { CalcState } from "../../lib/calculator/state.ts";
import { formatBinary, groupDigits } from "../../lib/format.ts";
import type { VisionControls } from "../../views/calculator/use-vision.ts";
import { onChecked, onFile, onInteger, onValue } from "../../views/calculator/input-events.ts";

/** Dynamic-resolution projectors (Qwen-VL, Qwen3.5): the largest image and --image-max-tokens. */
function ImageSizeFields(p: {
  id: string;
  state: CalcState;
  update: (patch: Partial<CalcState>) => void;
  basis: string;
}) {
  const [size, setSize] = useState(p.state.imageSize);
  const bad = size !== "" && !/^[1-9]\d{0,4}x[1-9]\d{0,4}$/.test(size);
  return (
    <>
      <div class="calc-field">
        <label for={`${p.id}-image-size`}>
          Largest image, WIDTHxHEIGHT px (empty: the largest the projector accepts)
        </label>
        <input
          id={`${p.id}-image-size`}
          type="text"
          placeholder="1920x1080"
          value={size}
          onInput={onValue((v) => setSize(v.trim()))}
          onChange={() => !bad && p.update({ imageSize: size })}
        />
        {bad && <span class="calc-help">Not applied: write it as 1920x1080.</span>}
      </div>
      <div class="calc-field">
        <label for={`${p.id}-image-max`}>--image-max-tokens (empty: the projector's default)</label>
        <input
          id={`${p.id}-image-max`}
          type="number"
          min={1}
          max={65536}
          value={p.state.imageMaxTokens ?? ""}
          onChange={onValue((t) => {
            const n = Number(t);
            if (t === "") p.update({ imageMaxTokens: null });
            else if (Number.isInteger(n) && n >= 1 && n <= 65536) p.update({ imageMaxTokens: n });
          })}
        />
      </div>
      <p class="calc-help" data-testid="calc-image-basis">
        {p.basis}
      </p>
    </>
  );
}

export const VisionInputs = memo(function VisionInputs(p: {
  id: string;
  state: CalcState;
  ctl: VisionControls;
  update: (patch: Partial<CalcState>) => void;
}) {
  const { id, ctl, update } = p;
  const pr = ctl.sized ?? ctl.projector?.projector;
  return (
    <fieldset class="calc-fs" data-projector={pr ? `${pr.projectorType}:${pr.weightsBytes}` : ""}>
      <legend>Vision projector (--mmproj)</legend>
      <ProjectorSource id={id} ctl={ctl} />
      <ProjectorStatus ctl={ctl} />
      {pr?.encodedImage !== undefined && <ImageSizeFields id={id} state={p.state} update={update} basis={pr.basis} />}
      <div class="calc-field">
        <label for={`${id}-images`}>Images per request</label>
        <input
          id={`${id}-images`}
          type="number"
          min={0}
          max={64}
          value={p.state.images}
          onChange={onInteger(0, 64, (n) => update({ images: n }))}
        />
      </div>
      <div class="calc-field calc-check">
        <input
          id={`${id}-mmproj-offload`}
          type="checkbox"
          checked={p.state.mmprojOffload}
          onChange={onChecked((c) => update({ mmprojOffload: c }))}
        />
        <label for={`${id}-mmproj-offload`}>Projector on the GPU (off: --no-mmproj-offload)</label>
      </div>
    </fieldset>
  );
});

/** Where the projector comes from: a local file or an https URL. */
function ProjectorSource({ id, ctl }: { id: string; ctl: VisionControls }) {
  const [url, setUrl] = useState("");
  return (
    <>
      <div class="calc-field">
        <label for={`${id}-mmproj-file`}>Projector GGUF (mmproj) on this device — only its header is read</label>
        <input id={`${id}-mmproj-file`} type="file" accept=".gguf" onChange={onFile(ctl.onFile)} />
      </div>
      <div class="calc-field">
        <label for={`${id}-mmproj-url`}>or its https URL (read by range requests)</label>
        <input id={`${id}-mmproj-url`} type="url" value={url} onInput={onValue(setUrl)} />
        <button type="button" class="calc-btn" onClick={() => ctl.onUrl(url.trim())}>
          Read the projector
        </button>
      </div>
    </>
  );
}

/** The catalog's preset button, progress, errors and the projector read. */
function ProjectorStatus({ ctl }: { ctl: VisionControls }) {
  const pr = ctl.sized ?? ctl.projector?.projector;
  return (
    <>
      {ctl.presetName && !ctl.projector && (
        <div class="calc-field">
          <button type="button" class="calc-btn" data-testid="calc-projector-preset" onClick={ctl.onPreset}>
            Use {ctl.presetName}
          </button>
          <span class="calc-help">
            No file needed: its F16 mmproj is built from the model's published vision_config (weights exact for that
            file; load the file itself for another type).
          </span>
        </div>
      )}
      {ctl.busy && (
        <p class="calc-help" role="status">
          {ctl.busy}
        </p>
      )}
      {ctl.error && (
        <p class="calc-error" role="alert">
          {ctl.error}
        </p>
      )}
      {ctl.projector && pr && (
        <p class="calc-help" data-testid="calc-projector">
          {ctl.projector.name}: {pr.projectorType}, {pr.tensors} tensors, weights {formatBinary(pr.weightsBytes)}{" "}
          (exact)
          {pr.tokensPerImage !== null ? `, ${groupDigits(pr.tokensPerImage)} tokens per image` : ""}. It replaces the
          catalog's F16 estimate.{" "}
          {ctl.projector.url ? "" : "A local file: the permalink cannot carry it (an https URL can)."}{" "}
          <button type="button" class="calc-btn" onClick={ctl.onRemove}>
            Remove
          </button>
        </p>
      )}
    </>
  );
}
