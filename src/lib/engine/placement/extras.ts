import type { Architecture } from "../../../schemas/architecture.ts";
import type { Placement, PlacedBuffer } from "../../../schemas/placement.ts";
import type { RuntimeConfig } from "../../../schemas/runtime-config.ts";
import type { TensorTable } from "../../../schemas/tensor-table.ts";
import { orderDevices, type PlacedDev } from "./devices.ts";
import { placeModel, type PlacementResult } from "./index.ts";

/**
 * What shares a PC's devices with the model (docs/memory-model.md#placement-extras):
 *
 * - A vision projector (tools/mtmd at llama.cpp de3ff81): clip.cpp's `clip_ctx` puts the
 *   projector's weights and its encoder graph on ONE backend — `mtmd_context_params.device` when
 *   set (common/arg.cpp defaults it to the first `--device`; `-mmdev` picks another), else
 *   `ggml_backend_init_by_type(GPU)`, the first GPU in the backend registry. The registry lists
 *   the built-in backends (CUDA/ROCm, Metal, Vulkan…) before the RPC servers `--rpc` registers
 *   (common/arg.cpp `add_rpc_devices` appends them), so the first LOCAL GPU takes it, an RPC
 *   device only when there is no local one; `--no-mmproj-offload` keeps it in host memory.
 * - A draft model (`-md`): common/speculative.cpp `common_base_params_to_speculative` copies the
 *   target's parameters — devices, -ts, -sm, -mg, context size, sequences, batch — and replaces
 *   only -ngl (`-ngld`), the tensor overrides (the draft's own, none by default: --n-cpu-moe and
 *   -ot do not apply to it) and the K/V types (-ctkd/-ctvd); `-devd` would give it other devices
 *   (not modelled). So the draft is placed like a second model on the same devices; the runtime
 *   overhead (CUDA context) belongs to the process and is counted once per GPU.
 */
export interface PlacementExtras {
  /** Projector bytes (weights + encoder compute estimate); offload false = host memory. */
  readonly projector?: { readonly weights_bytes: number; readonly compute_bytes: number; readonly offload: boolean };
  /** The draft: its architecture, configuration (n_ctx replaced by the target's) and tensor table. */
  readonly draft?: {
    readonly arch: Architecture;
    readonly config: RuntimeConfig;
    readonly tensors: TensorTable | null;
  };
}

const LOCAL_ORDER = ["cuda", "rocm", "metal", "vulkan"] as const;

/** The device the projector goes to with default flags (index in llama.cpp's order), null = none. */
export function projectorDevice(devs: readonly PlacedDev[]): number | null {
  for (const kind of LOCAL_ORDER) {
    const d = devs.find((x) => x.device.kind === kind);
    if (d) return d.index;
  }
  return devs.find((x) => x.device.kind === "rpc")?.index ?? null;
}

function projectorBuffers(p: NonNullable<PlacementExtras["projector"]>, devs: readonly PlacedDev[]): PlacedBuffer[] {
  const dev = p.offload ? projectorDevice(devs) : null;
  const device = dev === null ? "host" : devs[dev].buft;
  const pool = dev === null ? ("host" as const) : ("device" as const);
  const name = dev === null ? "CPU" : devs[dev].buft;
  const out: PlacedBuffer[] = [
    { name: `${name} mmproj`, kind: "weights", pool, device, bytes: p.weights_bytes, estimate: false },
  ];
  if (p.compute_bytes > 0)
    out.push({ name: `${name} mmproj compute`, kind: "compute", pool, device, bytes: p.compute_bytes, estimate: true });
  return out;
}

/** The draft's buffers on the target's devices, without a second runtime overhead on a GPU. */
function draftBuffers(
  d: NonNullable<PlacementExtras["draft"]>,
  config: RuntimeConfig,
  placement: Placement,
  target: PlacementResult,
): PlacedBuffer[] {
  const own: Placement = { ...placement, overrides: [], cpu_moe: false, n_cpu_moe: 0 };
  const r = placeModel(d.arch, { ...d.config, n_ctx: config.n_ctx }, own, d.tensors);
  const hasOverhead = new Set(target.buffers.filter((b) => b.kind === "overhead").map((b) => b.device));
  return r.buffers
    .filter((b) => b.kind !== "overhead" || !hasOverhead.has(b.device))
    .map((b) => ({ ...b, name: `draft ${b.name}` }));
}

/** placeModel plus the projector and the draft on the same devices (each device's total counts them). */
export function placeWithExtras(
  arch: Architecture,
  config: RuntimeConfig,
  placement: Placement,
  tensors: TensorTable | null,
  extras: PlacementExtras | null | undefined,
): PlacementResult {
  const r = placeModel(arch, config, placement, tensors);
  if (!extras || (!extras.projector && !extras.draft)) return r;
  const added: PlacedBuffer[] = [];
  if (extras.projector) added.push(...projectorBuffers(extras.projector, orderDevices(placement)));
  if (extras.draft) added.push(...draftBuffers(extras.draft, config, placement, r));
  const more = new Map<string, number>();
  for (const b of added) more.set(b.device, (more.get(b.device) ?? 0) + (b.touched_bytes ?? b.bytes));
  return {
    ...r,
    buffers: [...r.buffers, ...added],
    devices: r.devices.map((d) => ({ ...d, bytes: d.bytes + (more.get(d.name) ?? 0) })),
  };
}
