/**
 * The calculator's inputs: model (searchable catalog, GGUF file or URL, custom architecture),
 * weights, engine and build, K/V types (what the engine refuses is disabled with the reason),
 * parallelism, flash attention, batch, SWA, GPU layers, and the budget (hardware, itemised
 * reservations, the Apple GPU wired limit). Every control is a labelled native form element.
 */
import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import type { LightCatalog, MeasuredRunOption } from "../../lib/calculator/catalog.ts";
import {
  CALC_BACKENDS,
  ENGINE_REVISIONS,
  type CalcEngine,
  type CalcKvType,
  type CalcState,
} from "../../lib/calculator/state.ts";
import type { BudgetView, CalcView, ModelInfo, StaticView, TypeOption } from "../../lib/calculator/view.ts";
import { memo } from "../../views/calculator/memo.ts";
import { enginePatch, machinePatch } from "../../lib/calculator/question.ts";
import { parseBytes } from "../../lib/units.ts";
import { formatBinary, formatDecimal, groupDigits } from "../../lib/format.ts";

interface Props {
  idPrefix: string;
  state: CalcState;
  light: LightCatalog;
  view: CalcView;
  ready: boolean;
  changes: string[];
  busy: string | null;
  extraRuns: MeasuredRunOption[];
  /** Full architecture of the current model (all fields), once the engine has loaded. */
  fullArch: Record<string, unknown> | null;
  update: (patch: Partial<CalcState>) => void;
  onGgufFile: (f: File) => void;
  onGgufUrl: (url: string) => void;
  onCustom: (json: string) => string[];
  onRunFile: (f: File) => Promise<string[]>;
  /** What runs beside the model (vision projector, draft model), under the weights. */
  beside?: ComponentChildren;
}

const ENGINE_LABEL: Record<CalcEngine, string> = {
  "llama.cpp": "llama.cpp (upstream)",
  turboquant: "llama.cpp TurboQuant fork (TheTom)",
  ollama: "Ollama (llama-server backend)",
};

const REVISION_LABEL: Record<string, string> = {
  current: "current (since 2026-01-25: 256-padding, MLA K only)",
  "2025-11-07": "2025-11-07 … 2026-01-24 (256-padding, MLA K+V)",
  "2025-10-28": "2025-10-28 … 2025-11-06 (no padding)",
  "2025-07-16": "2025-07-16 … 2025-10-27 (per-stream padding 32/256)",
  "2026-05": "2026-05 (69d8e4be: turbo3 3.125, turbo2 2.125 bpv)",
  "2026-03": "2026-03 (the original report's build: turbo3 3.5, turbo2 2.5 bpv)",
};

const BACKEND_LABEL: Record<string, string> = { metal: "Metal (Apple)", cuda: "CUDA / ROCm", cpu: "CPU only" };

function TypeSelect(p: {
  id: string;
  label: string;
  value: CalcKvType;
  options: TypeOption[];
  onChange: (t: CalcKvType) => void;
}) {
  const disabled = p.options.filter((o) => o.disabled);
  return (
    <div class="calc-field">
      <label for={p.id}>{p.label}</label>
      <select
        id={p.id}
        value={p.value}
        onChange={(e) => p.onChange((e.target as HTMLSelectElement).value as CalcKvType)}
        aria-describedby={`${p.id}-why`}
      >
        {p.options.map((o) => (
          <option key={o.name} value={o.name} disabled={o.disabled !== null && o.name !== p.value}>
            {o.name} ({o.bitsPerValue} bits/value){o.disabled ? ` — unavailable: ${o.disabled}` : ""}
          </option>
        ))}
      </select>
      {disabled.length > 0 && (
        <details class="calc-why" id={`${p.id}-why`}>
          <summary>{disabled.length} unavailable here, and why</summary>
          <ul>
            {disabled.map((o) => (
              <li key={o.name}>
                <code>{o.name}</code>: {o.disabled}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

function SizeField(p: {
  id: string;
  label: string;
  bytes: number | null;
  placeholder: string;
  onCommit: (b: number | null) => void;
  help?: string;
}) {
  const [err, setErr] = useState<string | null>(null);
  return (
    <div class="calc-field calc-field--inline">
      <label for={p.id}>{p.label}</label>
      <input
        id={p.id}
        type="text"
        size={10}
        placeholder={p.placeholder}
        value={p.bytes === null ? "" : formatDecimal(p.bytes).replace(" ", "")}
        aria-invalid={err ? "true" : "false"}
        aria-describedby={err || p.help ? `${p.id}-help` : undefined}
        onChange={(e) => {
          const v = (e.target as HTMLInputElement).value.trim();
          if (v === "") {
            setErr(null);
            p.onCommit(null);
            return;
          }
          try {
            p.onCommit(parseBytes(v));
            setErr(null);
          } catch (x) {
            setErr((x as Error).message);
          }
        }}
      />
      {(err || p.help) && (
        <span id={`${p.id}-help`} class={err ? "calc-error" : "calc-help"}>
          {err ?? p.help}
        </span>
      )}
    </div>
  );
}

function ArchEditor(p: {
  idPrefix: string;
  fullArch: Record<string, unknown> | null;
  ready: boolean;
  onApply: (json: string) => string[];
}) {
  const [json, setJson] = useState<string | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const text = json ?? (p.fullArch ? JSON.stringify(p.fullArch, null, 2) : "");
  let obj: Record<string, unknown> | null = null;
  try {
    obj = JSON.parse(text) as Record<string, unknown>;
  } catch {
    obj = null;
  }
  const scalars = obj
    ? Object.entries(obj).filter(([, v]) => v === null || ["number", "string", "boolean"].includes(typeof v))
    : [];
  const setField = (k: string, raw: string) => {
    if (!obj) return;
    let v: unknown = raw;
    if (raw.trim() === "" || raw === "null") v = null;
    else if (raw === "true" || raw === "false") v = raw === "true";
    else if (/^-?\d+(\.\d+)?(e\d+)?$/i.test(raw.trim())) v = Number(raw);
    setJson(JSON.stringify({ ...obj, [k]: v }, null, 2));
  };
  return (
    <details class="calc-arch" onToggle={() => setJson(null)}>
      <summary>Custom: edit every architecture field</summary>
      {!p.ready || !p.fullArch ? (
        <p class="muted">The editor opens once the engine has loaded.</p>
      ) : (
        <>
          <p class="calc-help">
            Scalar fields below; arrays and nested objects (per-layer head counts, recurrent state, MLA) in the JSON.
            Validated by the engine's own schema.
          </p>
          <div class="calc-arch__fields">
            {scalars.map(([k, v]) => (
              <div class="calc-field calc-field--inline" key={k}>
                <label for={`${p.idPrefix}-arch-${k}`}>
                  <code>{k}</code>
                </label>
                <input
                  id={`${p.idPrefix}-arch-${k}`}
                  type="text"
                  size={12}
                  value={v === null ? "" : String(v)}
                  placeholder="null"
                  onChange={(e) => setField(k, (e.target as HTMLInputElement).value)}
                />
              </div>
            ))}
          </div>
          <label for={`${p.idPrefix}-arch-json`}>Architecture JSON</label>
          <textarea
            id={`${p.idPrefix}-arch-json`}
            rows={10}
            spellcheck={false}
            value={text}
            onInput={(e) => setJson((e.target as HTMLTextAreaElement).value)}
          />
          <button type="button" class="calc-btn" onClick={() => setErrors(p.onApply(text))}>
            Use this architecture
          </button>
          {errors.length > 0 && (
            <ul class="calc-error" role="alert">
              {errors.map((e, i) => (
                <li key={i}>{e}</li>
              ))}
            </ul>
          )}
        </>
      )}
    </details>
  );
}

type Update = (patch: Partial<CalcState>) => void;

const ModelFieldset = memo(function ModelFieldset(p: {
  id: string;
  light: LightCatalog;
  current: string;
  model: ModelInfo | null;
  ggufUrl: string | null;
  busy: string | null;
  ready: boolean;
  fullArch: Record<string, unknown> | null;
  update: Update;
  onGgufFile: (f: File) => void;
  onGgufUrl: (url: string) => void;
  onCustom: (json: string) => string[];
}) {
  const { id, light, model, update } = p;
  const [query, setQuery] = useState("");
  const [url, setUrl] = useState(p.ggufUrl ?? "");
  const [drag, setDrag] = useState(false);
  const matches = useMemo(() => {
    // Every word must match somewhere: "gemma 3 27" finds Gemma-3-27B.
    const words = query
      .trim()
      .toLowerCase()
      .split(/[\s,]+/)
      .filter(Boolean);
    if (!words.length) return light.models;
    return light.models.filter((m) => {
      const hay = `${m.name} ${m.family} ${m.id} ${m.paramsB ?? ""}b`.toLowerCase();
      return words.every((w) => hay.includes(w));
    });
  }, [query, light]);
  const families = useMemo(() => [...new Set(matches.map((m) => m.family))], [matches]);
  return (
    <fieldset
      class={`calc-fs${drag ? " is-drag" : ""}`}
      onDragOver={(e) => {
        e.preventDefault();
        setDrag(true);
      }}
      onDragLeave={() => setDrag(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDrag(false);
        const f = e.dataTransfer?.files?.[0];
        if (f) p.onGgufFile(f);
      }}
    >
      <legend>Model</legend>
      <div class="calc-field">
        <label for={`${id}-model-q`}>Search the catalog ({light.models.length} models)</label>
        <input
          id={`${id}-model-q`}
          type="search"
          placeholder="qwen3.5, gemma 27b, llama…"
          value={query}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
          onKeyDown={(e) => {
            // Enter picks the single match (the list below still shows it).
            if (e.key === "Enter" && matches.length === 1) {
              e.preventDefault();
              update({ model: matches[0].id });
            }
          }}
        />
      </div>
      <div class="calc-field">
        <label for={`${id}-model`}>Model ({matches.length} shown)</label>
        <select
          id={`${id}-model`}
          size={6}
          value={model?.source === "catalog" ? p.current : ""}
          onChange={(e) => update({ model: (e.target as HTMLSelectElement).value })}
        >
          {families.map((f) => (
            <optgroup key={f} label={f}>
              {matches
                .filter((m) => m.family === f)
                .map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name}
                    {m.paramsB
                      ? ` · ${m.paramsB}B${m.activeB && m.activeB !== m.paramsB ? ` (${m.activeB}B active)` : ""}`
                      : ""}
                  </option>
                ))}
            </optgroup>
          ))}
        </select>
      </div>
      {model && (
        <p class="calc-help" data-testid="calc-model-name">
          <strong>{model.name}</strong> · <code>{model.arch}</code> · {model.blockCount} layers
          {model.trainCtx ? ` · trained context ${groupDigits(model.trainCtx)}` : ""}
          {model.hasSwa ? " · sliding window" : ""}
          {model.hasRecurrent ? " · recurrent hybrid" : ""}
          {model.isMla ? " · MLA" : ""}
          {model.source !== "catalog" ? ` · from ${model.source === "gguf" ? "a GGUF header" : "your edit"}` : ""}
        </p>
      )}
      <div class="calc-field">
        <label for={`${id}-gguf-file`}>Load a GGUF (header only, read on this device; nothing is uploaded)</label>
        <input
          id={`${id}-gguf-file`}
          type="file"
          accept=".gguf"
          onChange={(e) => {
            const f = (e.target as HTMLInputElement).files?.[0];
            if (f) p.onGgufFile(f);
          }}
        />
        <span class="calc-help">…or drop a .gguf file on this box.</span>
      </div>
      <div class="calc-field calc-field--inline">
        <label for={`${id}-gguf-url`}>…or an https:// GGUF URL</label>
        <input
          id={`${id}-gguf-url`}
          type="url"
          placeholder="https://huggingface.co/…/resolve/main/model.gguf"
          value={url}
          onInput={(e) => setUrl((e.target as HTMLInputElement).value)}
        />
        <button type="button" class="calc-btn" onClick={() => p.onGgufUrl(url.trim())}>
          Read header
        </button>
      </div>
      {p.busy && (
        <p role="status" class="calc-status">
          {p.busy}
        </p>
      )}
      <ArchEditor idPrefix={id} fullArch={p.fullArch} ready={p.ready} onApply={p.onCustom} />
    </fieldset>
  );
});

const WeightsFieldset = memo(function WeightsFieldset(p: {
  id: string;
  ftype: string;
  ftypes: LightCatalog["ftypes"];
  model: ModelInfo | null;
  vision: boolean;
  weightsBytes: number | null;
  weightsEstimate: boolean;
  update: Update;
}) {
  const { id, model, update } = p;
  return (
    <fieldset class="calc-fs">
      <legend>Weights</legend>
      <div class="calc-field">
        <label for={`${id}-ftype`}>Weights type (ftype)</label>
        <select
          id={`${id}-ftype`}
          value={p.ftype}
          disabled={model?.exactWeights}
          onChange={(e) => update({ ftype: (e.target as HTMLSelectElement).value })}
        >
          {p.ftypes.map((f) => (
            <option key={f.id} value={f.id}>
              {f.id} ({f.typicalBpw ?? f.nominalBpw} bpw{f.typicalBpw ? " typical" : " nominal"})
            </option>
          ))}
        </select>
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
          onChange={(e) => update({ vision: (e.target as HTMLInputElement).checked })}
        />
        <label for={`${id}-vision`}>
          Count the vision encoder
          {model?.vision.reason ? <span class="calc-help"> (unavailable: {model.vision.reason})</span> : ""}
        </label>
      </div>
    </fieldset>
  );
});

const EngineFieldset = memo(function EngineFieldset(p: {
  id: string;
  engine: CalcEngine;
  revision: string;
  backend: CalcState["backend"];
  update: Update;
}) {
  const { id, update } = p;
  return (
    <fieldset class="calc-fs">
      <legend>Engine</legend>
      <div class="calc-field">
        <label for={`${id}-engine`}>Engine</label>
        <select
          id={`${id}-engine`}
          value={p.engine}
          onChange={(e) => update(enginePatch((e.target as HTMLSelectElement).value as CalcEngine))}
        >
          {(Object.keys(ENGINE_LABEL) as CalcEngine[]).map((e) => (
            <option key={e} value={e}>
              {ENGINE_LABEL[e]}
            </option>
          ))}
        </select>
      </div>
      <div class="calc-field">
        <label for={`${id}-rev`}>Build (rules revision)</label>
        <select
          id={`${id}-rev`}
          value={p.revision}
          onChange={(e) => update({ revision: (e.target as HTMLSelectElement).value })}
        >
          {ENGINE_REVISIONS[p.engine].map((r) => (
            <option key={r} value={r}>
              {REVISION_LABEL[r] ?? r}
            </option>
          ))}
        </select>
      </div>
      <div class="calc-field">
        <label for={`${id}-backend`}>Backend</label>
        <select
          id={`${id}-backend`}
          value={p.backend}
          onChange={(e) => update({ backend: (e.target as HTMLSelectElement).value as CalcState["backend"] })}
        >
          {CALC_BACKENDS.map((b) => (
            <option key={b} value={b}>
              {BACKEND_LABEL[b]}
            </option>
          ))}
        </select>
        <span class="calc-help">Derived from the hardware; editable.</span>
      </div>
    </fieldset>
  );
});

const KvFieldset = memo(function KvFieldset(p: {
  id: string;
  engine: CalcEngine;
  typeK: CalcKvType;
  typeV: CalcKvType;
  flashAttn: CalcState["flashAttn"];
  nSeq: number;
  unified: boolean;
  nUbatch: number;
  swaFull: boolean;
  hasSwa: boolean;
  kOptions: TypeOption[];
  vOptions: TypeOption[];
  effective: string;
  fa: boolean;
  update: Update;
}) {
  const { id, update } = p;
  return (
    <fieldset class="calc-fs">
      <legend>KV cache</legend>
      <TypeSelect
        id={`${id}-ctk`}
        label="K type (-ctk)"
        value={p.typeK}
        options={p.kOptions}
        onChange={(t) => update(p.engine === "ollama" ? { typeK: t, typeV: t } : { typeK: t })}
      />
      <TypeSelect
        id={`${id}-ctv`}
        label="V type (-ctv)"
        value={p.typeV}
        options={p.vOptions}
        onChange={(t) => update({ typeV: t })}
      />
      <p class="calc-help" data-testid="calc-effective">
        Allocated as: <strong>{p.effective}</strong>
        {p.fa ? ", flash attention on" : ", flash attention off"}.
      </p>
      <div class="calc-field">
        <label for={`${id}-fa`}>Flash attention (-fa)</label>
        <select
          id={`${id}-fa`}
          value={p.flashAttn}
          onChange={(e) => update({ flashAttn: (e.target as HTMLSelectElement).value as CalcState["flashAttn"] })}
        >
          <option value="on">on</option>
          <option value="auto">auto</option>
          <option value="off">off</option>
        </select>
      </div>
      <div class="calc-field calc-field--inline">
        <label for={`${id}-np`}>Parallel sequences (-np)</label>
        <input
          id={`${id}-np`}
          type="number"
          min={1}
          max={256}
          value={p.nSeq}
          onChange={(e) => {
            const v = Number((e.target as HTMLInputElement).value);
            if (Number.isInteger(v) && v >= 1 && v <= 256) update({ nSeq: v });
          }}
        />
      </div>
      <div class="calc-field calc-check">
        <input
          id={`${id}-kvu`}
          type="checkbox"
          checked={p.unified}
          onChange={(e) => update({ unified: (e.target as HTMLInputElement).checked })}
        />
        <label for={`${id}-kvu`}>Unified KV (-kvu): one cache shared by all sequences</label>
      </div>
      <div class="calc-field calc-field--inline">
        <label for={`${id}-ub`}>Physical batch (-ub)</label>
        <input
          id={`${id}-ub`}
          type="number"
          min={1}
          max={65536}
          value={p.nUbatch}
          onChange={(e) => {
            const v = Number((e.target as HTMLInputElement).value);
            if (Number.isInteger(v) && v >= 1 && v <= 65536) update({ nUbatch: v });
          }}
        />
      </div>
      <div class="calc-field calc-check">
        <input
          id={`${id}-swa`}
          type="checkbox"
          checked={p.swaFull}
          onChange={(e) => update({ swaFull: (e.target as HTMLInputElement).checked })}
        />
        <label for={`${id}-swa`}>
          --swa-full: full-size caches for sliding-window layers
          {!p.hasSwa ? <span class="calc-help"> (no effect: this model has no sliding-window layers)</span> : ""}
        </label>
      </div>
    </fieldset>
  );
});

const GpuFieldset = memo(function GpuFieldset(p: {
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
          onChange={(e) =>
            update({ nGpuLayers: (e.target as HTMLInputElement).checked ? -1 : Math.max(0, nLayers - 1) })
          }
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
          onChange={(e) => {
            const v = Number((e.target as HTMLInputElement).value);
            if (Number.isInteger(v) && v >= 0) update({ nGpuLayers: v >= nLayers ? -1 : v });
          }}
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

const BudgetFieldset = memo(function BudgetFieldset(p: {
  id: string;
  light: LightCatalog;
  hardware: string;
  budgetId: string;
  items: CalcState["items"];
  wiredMiB: number | null;
  budget: BudgetView;
  update: Update;
}) {
  const { id, light, budget, update } = p;
  const hw = light.hardware.find((h) => h.id === p.hardware) ?? null;
  const onHardware = (hid: string) => update(machinePatch(light.hardware, light.budgets, p.budgetId, hid));
  const onBudget = (bid: string) => {
    const b = light.budgets.find((x) => x.id === bid);
    const patch: Partial<CalcState> = { budget: bid, items: {}, totalBytes: null };
    if (b?.hardwareId) {
      patch.hardware = b.hardwareId;
      const h = light.hardware.find((x) => x.id === b.hardwareId);
      if (h) patch.backend = h.vendor === "apple" ? "metal" : "cuda";
    }
    update(patch);
  };
  return (
    <fieldset class="calc-fs">
      <legend>Budget</legend>
      <div class="calc-field">
        <label for={`${id}-hw`}>Machine</label>
        <select id={`${id}-hw`} value={p.hardware} onChange={(e) => onHardware((e.target as HTMLSelectElement).value)}>
          <option value="">none: use the budget's stated total</option>
          {["apple", "nvidia", "amd"].map((v) => (
            <optgroup key={v} label={v === "apple" ? "Apple Silicon" : v === "nvidia" ? "NVIDIA" : "AMD"}>
              {light.hardware
                .filter((h) => h.vendor === v)
                .map((h) => (
                  <option key={h.id} value={h.id}>
                    {h.name}
                  </option>
                ))}
            </optgroup>
          ))}
        </select>
        {!hw && (
          <span class="calc-help">
            Pick your Mac to hold the GPU buffers to its Metal working-set limit (and see the iogpu.wired_limit_mb
            lever).
          </span>
        )}
      </div>
      <div class="calc-field">
        <label for={`${id}-budget`}>Budget preset</label>
        <select
          id={`${id}-budget`}
          value={p.budgetId}
          onChange={(e) => onBudget((e.target as HTMLSelectElement).value)}
        >
          {light.budgets.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
        {budget.quote && <span class="calc-help">Source: “{budget.quote}”</span>}
      </div>
      <SizeField
        id={`${id}-total`}
        label="Total memory"
        bytes={budget.totalBytes}
        placeholder={hw ? formatDecimal(hw.memoryBytes) : "32GB"}
        onCommit={(b) => update({ totalBytes: b })}
        help={budget.totalStatedAs ? `as stated: ${budget.totalStatedAs}` : undefined}
      />
      <ul class="calc-items" aria-label="Reservations">
        {budget.items.map((it) => (
          <li key={it.index}>
            <SizeField
              id={`${id}-item-${it.index}`}
              label={it.label}
              bytes={it.bytes}
              placeholder={it.statedAs ?? "amount"}
              onCommit={(b) => {
                const items = { ...p.items };
                if (b === null) delete items[String(it.index)];
                else items[String(it.index)] = b;
                update({ items });
              }}
              help={
                it.replacedBy
                  ? `not subtracted: the engine's ${it.replacedBy === "compute" ? "compute estimate" : "runtime overhead"} counts it`
                  : it.bytes === null
                    ? "no amount stated by the source"
                    : it.estimated
                      ? "placeholder: edit for your machine"
                      : undefined
              }
            />
          </li>
        ))}
      </ul>
      {budget.apple && (
        <div class="calc-field calc-field--inline">
          <label for={`${id}-wired`}>GPU wired limit (iogpu.wired_limit_mb, MiB)</label>
          <input
            id={`${id}-wired`}
            type="number"
            min={1024}
            step={1024}
            placeholder={
              budget.defaultWorkingSetBytes ? String(Math.round(budget.defaultWorkingSetBytes / 1048576)) : ""
            }
            value={p.wiredMiB ?? ""}
            onChange={(e) => {
              const v = (e.target as HTMLInputElement).value;
              update({ wiredMiB: v === "" ? null : Math.max(1024, Math.round(Number(v))) });
            }}
          />
          <span class="calc-help">
            macOS lets the GPU wire only its working set (
            {budget.defaultWorkingSetBytes
              ? `${formatBinary(budget.defaultWorkingSetBytes)} on this Mac`
              : "about 2/3 of RAM"}
            , {budget.defaultWorkingSetKind ?? "estimated"}). <code>sudo sysctl iogpu.wired_limit_mb=&lt;MiB&gt;</code>{" "}
            raises it until the next reboot; leave the OS several GB: going past a safe limit kernel-panicked a 32 GB M1
            Max twice.
          </span>
        </div>
      )}
      <p class="calc-help" data-testid="calc-budget-usable">
        {budget.error
          ? `Budget: ${budget.error}`
          : `Usable: ${formatBinary(budget.usableBytes ?? 0)} (${formatDecimal(budget.usableBytes ?? 0)}), limited by ${
              budget.limitedBy === "working-set"
                ? "the GPU working set"
                : budget.limitedBy === "stated"
                  ? "the source's stated result"
                  : "the reservations"
            }.`}
      </p>
      {budget.warnings.length > 0 && (
        <ul class="calc-help">
          {budget.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
    </fieldset>
  );
});

const RunsFieldset = memo(function RunsFieldset(p: {
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
          onChange={async (e) => {
            const f = (e.target as HTMLInputElement).files?.[0];
            if (f) setRunErrors(await p.onRunFile(f));
          }}
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

export function Inputs(p: Props) {
  const { state, light, view, update, idPrefix: id } = p;
  const model = view.s.model;
  const weights = view.c.components.find((c) => c.key === "weights");
  return (
    <form class="calc__inputs" aria-label="Calculator settings" onSubmit={(e) => e.preventDefault()}>
      {p.changes.length > 0 && (
        <div class="calc-changes" role="status">
          {p.changes.map((c, i) => (
            <p key={i}>{c}</p>
          ))}
        </div>
      )}
      <ModelFieldset
        id={id}
        light={light}
        current={state.model}
        model={model}
        ggufUrl={state.ggufUrl}
        busy={p.busy}
        ready={p.ready}
        fullArch={p.fullArch}
        update={update}
        onGgufFile={p.onGgufFile}
        onGgufUrl={p.onGgufUrl}
        onCustom={p.onCustom}
      />
      <WeightsFieldset
        id={id}
        ftype={state.ftype}
        ftypes={light.ftypes}
        model={model}
        vision={state.vision}
        weightsBytes={weights?.bytes ?? null}
        weightsEstimate={weights?.estimate ?? false}
        update={update}
      />
      {p.beside}
      <EngineFieldset id={id} engine={state.engine} revision={state.revision} backend={state.backend} update={update} />
      <KvFieldset
        id={id}
        engine={state.engine}
        typeK={state.typeK}
        typeV={state.typeV}
        flashAttn={state.flashAttn}
        nSeq={state.nSeq}
        unified={state.unified}
        nUbatch={state.nUbatch}
        swaFull={state.swaFull}
        hasSwa={model?.hasSwa ?? false}
        kOptions={view.s.kOptions}
        vOptions={view.s.vOptions}
        effective={view.c.effective.typeK}
        fa={view.c.effective.fa}
        update={update}
      />
      <GpuFieldset
        id={id}
        ngl={state.nGpuLayers}
        nLayers={view.c.offload.nLayers}
        deviceBytes={view.c.offload.deviceBytes}
        hostBytes={view.c.offload.hostBytes}
        maxLayersFit={view.c.offload.maxLayersFit}
        update={update}
      />
      <BudgetFieldset
        id={id}
        light={light}
        hardware={state.hardware}
        budgetId={state.budget}
        items={state.items}
        wiredMiB={state.wiredMiB}
        budget={view.s.budget}
        update={update}
      />
      <RunsFieldset
        id={id}
        runs={view.s.measuredRuns}
        ready={p.ready}
        extraRuns={p.extraRuns}
        onRunFile={p.onRunFile}
      />
    </form>
  );
}
