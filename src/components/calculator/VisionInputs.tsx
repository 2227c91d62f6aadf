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
          onInput={(e) => setSize((e.target as HTMLInputElement).value.trim())}
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
          onChange={(e) => {
            const t = (e.target as HTMLInputElement).value;
            const n = Number(t);
            if (t === "") p.update({ imageMaxTokens: null });
            else if (Number.isInteger(n) && n >= 1 && n <= 65536) p.update({ imageMaxTokens: n });
          }}
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
  const [url, setUrl] = useState("");
  const pr = ctl.sized ?? ctl.projector?.projector;
  return (
    <fieldset class="calc-fs" data-projector={pr ? `${pr.projectorType}:${pr.weightsBytes}` : ""}>
      <legend>Vision projector (--mmproj)</legend>
      <div class="calc-field">
        <label for={`${id}-mmproj-file`}>Projector GGUF (mmproj) on this device — only its header is read</label>
        <input
          id={`${id}-mmproj-file`}
          type="file"
          accept=".gguf"
          onChange={(e) => {
            const f = (e.target as HTMLInputElement).files?.[0];
            if (f) ctl.onFile(f);
          }}
        />
      </div>
      <div class="calc-field">
        <label for={`${id}-mmproj-url`}>or its https URL (read by range requests)</label>
        <input
          id={`${id}-mmproj-url`}
          type="url"
          value={url}
          onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
        />
        <button type="button" class="calc-btn" onClick={() => ctl.onUrl(url.trim())}>
          Read the projector
        </button>
      </div>
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
      {pr?.encodedImage !== undefined && <ImageSizeFields id={id} state={p.state} update={update} basis={pr.basis} />}
      <div class="calc-field">
        <label for={`${id}-images`}>Images per request</label>
        <input
          id={`${id}-images`}
          type="number"
          min={0}
          max={64}
          value={p.state.images}
          onChange={(e) => {
            const n = Number((e.target as HTMLInputElement).value);
            if (Number.isInteger(n) && n >= 0 && n <= 64) update({ images: n });
          }}
        />
      </div>
      <div class="calc-field calc-check">
        <input
          id={`${id}-mmproj-offload`}
          type="checkbox"
          checked={p.state.mmprojOffload}
          onChange={(e) => update({ mmprojOffload: (e.target as HTMLInputElement).checked })}
        />
        <label for={`${id}-mmproj-offload`}>Projector on the GPU (off: --no-mmproj-offload)</label>
      </div>
    </fieldset>
  );
});
