/**
 * The PC part of the machine builder: 1–8 GPUs (a card from the hardware catalog or a custom
 * size), system RAM, and RPC servers (host:port + memory). Edits produce a new MachineSpec.
 */
import type { GpuKind, GpuOption, MachineGpu, MachineSpec } from "../../lib/calculator/placement-machine.ts";
import { GPU_KINDS, MAX_GPUS, MAX_RPC, fmtMiB } from "../../lib/calculator/placement-machine.ts";
import { onPick, onValue } from "../../views/calculator/input-events.ts";

export interface MachineBuilderProps {
  id: string;
  spec: MachineSpec;
  gpus: readonly GpuOption[];
  set: (spec: MachineSpec) => void;
}

const MiB = 1024 * 1024;
const CUSTOM = "";
const KIND_WORDS: Record<GpuKind, string> = { cuda: "CUDA", rocm: "ROCm", vulkan: "Vulkan", metal: "Metal" };

/** Backends a card can run: its vendor's (CUDA or ROCm) and Vulkan; a custom size any. */
function kindsFor(g: MachineGpu, gpus: readonly GpuOption[]): GpuKind[] {
  if (g.id === null) return [...GPU_KINDS];
  const amd = gpus.find((o) => o.id === g.id)?.vendor === "amd";
  return [amd ? "rocm" : "cuda", "vulkan"];
}

/** GiB text → MiB (integer), or null when not a positive size. */
function gibToMiB(text: string): number | null {
  const v = Number(text);
  return Number.isFinite(v) && v > 0 && v <= 2 ** 20 ? Math.round(v * 1024) : null;
}

function gpuFrom(opt: GpuOption | undefined, mib: number): MachineGpu {
  return opt
    ? {
        id: opt.id,
        name: opt.name,
        mib: Math.floor(opt.memoryBytes / MiB),
        kind: opt.vendor === "amd" ? "rocm" : "cuda",
      }
    : { id: null, name: `GPU (${fmtMiB(mib)})`, mib, kind: "cuda" };
}

function GpuRow(p: MachineBuilderProps & { i: number }) {
  const { id, spec, gpus, set, i } = p;
  const g = spec.gpus[i];
  const put = (ng: MachineGpu) => set({ ...spec, gpus: spec.gpus.map((x, j) => (j === i ? ng : x)) });
  const kinds = kindsFor(g, gpus);
  return (
    <li class="calc-pc__row" data-gpu={i}>
      <label for={`${id}-gpu${i}`}>GPU {i}</label>
      <select
        id={`${id}-gpu${i}`}
        value={g.id ?? CUSTOM}
        onChange={onValue((v) =>
          put(
            gpuFrom(
              gpus.find((o) => o.id === v),
              g.mib,
            ),
          ),
        )}
      >
        <option value={CUSTOM}>custom size</option>
        {gpus.map((o) => (
          <option key={o.id} value={o.id}>
            {o.name}
          </option>
        ))}
      </select>
      <input
        id={`${id}-gpu${i}-gib`}
        aria-label={`GPU ${i} memory (GiB)`}
        type="number"
        min={1}
        step="any"
        disabled={g.id !== null}
        value={g.mib / 1024}
        onChange={onValue((t) => {
          const mib = gibToMiB(t);
          if (mib !== null) put(gpuFrom(undefined, mib));
        })}
      />
      <span class="muted">GiB</span>
      <select
        id={`${id}-gpu${i}-kind`}
        aria-label={`GPU ${i} backend`}
        value={g.kind}
        onChange={onPick(kinds, (k) => put({ ...g, kind: k }))}
      >
        {kinds.map((k) => (
          <option key={k} value={k}>
            {KIND_WORDS[k]}
          </option>
        ))}
      </select>
      {spec.gpus.length > 1 && (
        <button
          type="button"
          class="calc-btn"
          aria-label={`Remove GPU ${i}`}
          onClick={() => set({ ...spec, gpus: spec.gpus.filter((_, j) => j !== i), tensorSplit: [], mainGpu: 0 })}
        >
          ×
        </button>
      )}
    </li>
  );
}

function RpcRow(p: MachineBuilderProps & { i: number }) {
  const { id, spec, set, i } = p;
  const r = spec.rpc[i];
  const put = (endpoint: string, mib: number) =>
    set({ ...spec, rpc: spec.rpc.map((x, j) => (j === i ? { endpoint, mib } : x)) });
  return (
    <li class="calc-pc__row" data-rpc={i}>
      <label for={`${id}-rpc${i}`}>RPC {i}</label>
      <input
        id={`${id}-rpc${i}`}
        type="text"
        value={r.endpoint}
        pattern="[A-Za-z0-9.\-]{1,253}:\d{1,5}"
        onChange={onValue((t) => {
          const v = t.trim();
          if (/^[A-Za-z0-9.-]{1,253}:\d{1,5}$/.test(v) && Number(v.split(":").pop()) <= 65535) put(v, r.mib);
        })}
      />
      <input
        aria-label={`RPC ${i} memory (GiB)`}
        type="number"
        min={1}
        step="any"
        value={r.mib / 1024}
        onChange={onValue((t) => {
          const mib = gibToMiB(t);
          if (mib !== null) put(r.endpoint, mib);
        })}
      />
      <span class="muted">GiB</span>
      <button
        type="button"
        class="calc-btn"
        aria-label={`Remove RPC server ${i}`}
        onClick={() => set({ ...spec, rpc: spec.rpc.filter((_, j) => j !== i), tensorSplit: [], mainGpu: 0 })}
      >
        ×
      </button>
    </li>
  );
}

export function MachineBuilder(p: MachineBuilderProps) {
  const { id, spec, set } = p;
  return (
    <div class="calc-pc">
      <ul class="calc-pc__list" aria-label="GPUs">
        {spec.gpus.map((_, i) => (
          <GpuRow key={i} {...p} i={i} />
        ))}
      </ul>
      {spec.gpus.length < MAX_GPUS && (
        <button
          type="button"
          class="calc-btn"
          id={`${id}-add-gpu`}
          onClick={() => set({ ...spec, gpus: [...spec.gpus, spec.gpus[spec.gpus.length - 1]], tensorSplit: [] })}
        >
          Add a GPU
        </button>
      )}
      <div class="calc-field calc-field--inline">
        <label for={`${id}-ram`}>System RAM (GiB)</label>
        <input
          id={`${id}-ram`}
          type="number"
          min={1}
          step="any"
          value={spec.ramMiB === null ? "" : spec.ramMiB / 1024}
          onChange={onValue((t) => {
            const mib = gibToMiB(t);
            if (t === "" || mib !== null) set({ ...spec, ramMiB: t === "" ? null : mib });
          })}
        />
      </div>
      {spec.rpc.length > 0 && (
        <ul class="calc-pc__list" aria-label="RPC servers">
          {spec.rpc.map((_, i) => (
            <RpcRow key={i} {...p} i={i} />
          ))}
        </ul>
      )}
      {spec.rpc.length < MAX_RPC && (
        <button
          type="button"
          class="calc-btn"
          onClick={() =>
            set({
              ...spec,
              rpc: [...spec.rpc, { endpoint: `192.168.1.${10 + spec.rpc.length}:50052`, mib: 24576 }],
              tensorSplit: [],
            })
          }
        >
          Add an RPC machine
        </button>
      )}
    </div>
  );
}
