/**
 * `npm run calc` placement: run the engine's placement for the machine the options describe and
 * render it per device. Placement refusals (bad -ts, -mg, -ot …) are usage errors (exit 2).
 */
import type { Architecture } from "../../src/schemas/architecture.ts";
import type { Placement } from "../../src/schemas/placement.ts";
import type { RuntimeConfig } from "../../src/schemas/runtime-config.ts";
import type { TensorTable } from "../../src/schemas/tensor-table.ts";
import { buildTensorTable, EngineError, normaliseFtype } from "../../src/lib/engine/index.ts";
import { fitMachine } from "../../src/lib/engine/placement/index.ts";
import type { FitResult, PlacementResult } from "../../src/lib/engine/placement/index.ts";
import { placeWithExtras, type PlacementExtras } from "../../src/lib/engine/placement/extras.ts";
import type { VisionBreakdown } from "../../src/lib/engine/vision.ts";
import type { DraftResult } from "./draft-output.ts";
import { PlacementSchema } from "../../src/schemas/placement.ts";
import type { Budget } from "../../src/lib/engine/index.ts";
import { GiB, MiB } from "../../src/lib/units.ts";
import { UsageError } from "./options.ts";

/** Runtime-config fields and placement fields whose refusals are usage errors. */
const USAGE_FIELDS = new Set(["devices", "split_mode", "tensor_split", "main_gpu", "overrides"]);

/** One device for --backend when no placement option was given (memory unknown). */
export function defaultPlacement(config: RuntimeConfig): Placement {
  const devices =
    config.backend === "cpu" ? [] : [{ kind: config.backend, name: `${config.backend}0`, memory_bytes: 0 }];
  return PlacementSchema.parse({ devices });
}

/**
 * Placement flags (--n-cpu-moe, --cpu-moe, -ot, --no-mmap …) with --hardware or --budget and no
 * --devices: the one device is the budget's usable memory in whole MiB and system RAM is not
 * limited — the calculator's machine for the same question (src/lib/calculator/suggest-moe.ts
 * `oneGpuMachine`), so the verdict and largest context come from the placement as there. On a
 * unified-memory budget (Apple Silicon: the total pool with Metal) the device is the Metal GPU,
 * its limit the GPU working set, and host and GPU share the budget's bytes (Placement.unified):
 * the same two limits the one-device answer checks (docs/memory-model.md#placement-unified).
 * Null when the budget is neither (the CPU backend, a host pool, a total pool without Metal).
 */
export function budgetPlacement(p: Placement, budget: Budget, config: RuntimeConfig): Placement | null {
  const pool = budget.pool ?? (config.backend === "cuda" ? "device" : "total");
  if (p.devices.length > 0 || config.backend === "cpu") return null;
  const whole = (b: number): number => Math.max(1, Math.floor(b / MiB)) * MiB;
  if (pool === "total" && config.backend === "metal") {
    const limit = Math.min(budget.device_limit_bytes ?? budget.bytes, budget.bytes);
    const device = { kind: "metal", name: "metal0", memory_bytes: whole(limit) };
    return PlacementSchema.parse({ ...p, devices: [device], host_bytes: budget.bytes, unified: true });
  }
  if (pool !== "device") return null;
  const memory_bytes = whole(budget.bytes);
  return PlacementSchema.parse({ ...p, devices: [{ kind: config.backend, name: `${config.backend}0`, memory_bytes }] });
}

/** The tensor table to place: the model's own, else one built for --weights, else none. */
export function tableFor(arch: Architecture, config: RuntimeConfig, own: TensorTable | null): TensorTable | null {
  if (own) return own;
  if (!config.weights_ftype) return null;
  try {
    return buildTensorTable(arch, normaliseFtype(config.weights_ftype));
  } catch {
    return null; // the breakdown already says why (params × bpw fallback)
  }
}

/**
 * What --mmproj and -md put beside the model on its devices (engine/placement/extras.ts): the
 * projector's weights and encoder compute (on its one device, or the host with
 * --no-mmproj-offload), the draft with its own -ngld, -ctkd/-ctvd and tensor table.
 */
export function cliExtras(vision: VisionBreakdown | null, draft: DraftResult | null): PlacementExtras | null {
  const projector = vision
    ? { weights_bytes: vision.weightsBytes, compute_bytes: vision.computeBytes ?? 0, offload: vision.device === "gpu" }
    : undefined;
  const side = draft?.side;
  const d = side
    ? { arch: side.arch, config: side.config, tensors: tableFor(side.arch, side.config, side.opts?.tensors ?? null) }
    : undefined;
  return projector || d ? { projector, draft: d } : null;
}

export function runPlacement(
  arch: Architecture,
  config: RuntimeConfig,
  p: Placement,
  tensors: TensorTable | null,
  extras: PlacementExtras | null = null,
): PlacementResult {
  try {
    return placeWithExtras(arch, config, p, tensors, extras);
  } catch (e) {
    if (e instanceof EngineError && e.field !== null && USAGE_FIELDS.has(e.field)) throw new UsageError(e.message);
    throw e;
  }
}

/** Run the fit solver; usage errors as for placement. null = nothing fits. */
export function runFit(
  arch: Architecture,
  config: RuntimeConfig,
  p: Placement,
  tensors: TensorTable | null,
  fit: { margin_mib: number; min_ctx: number },
  extras: PlacementExtras | null = null,
): FitResult | null {
  try {
    return fitMachine(arch, config, p, tensors, { margin_bytes: fit.margin_mib * MiB, min_ctx: fit.min_ctx, extras });
  } catch (e) {
    if (e instanceof EngineError && e.field !== null && USAGE_FIELDS.has(e.field)) throw new UsageError(e.message);
    throw e;
  }
}

const mib = (b: number): string => (b / MiB).toFixed(2);

/** Per-buffer lines grouped by device, then one total per device with its budget. */
export function renderPlacement(r: PlacementResult): string {
  const out: string[] = ["placement per device (MiB; * = estimate):"];
  for (const d of r.devices) {
    const mine = r.buffers.filter((b) => b.device === d.name);
    if (mine.length === 0 && d.layers.length === 0) continue;
    const budget = d.budget_bytes ? ` of ${(d.budget_bytes / GiB).toFixed(2)} GiB` : "";
    const layers = d.layers.length ? `, layers ${d.layers[0]}–${d.layers[d.layers.length - 1]}` : "";
    out.push(`  ${d.name} (${d.machine}${layers}): ${mib(d.bytes)} MiB${budget}`);
    for (const b of mine)
      out.push(
        `    ${b.kind.padEnd(9)} ${b.name.padEnd(28)} ${mib(b.bytes).padStart(11)}${b.estimate ? "*" : " "}${b.touched_bytes !== undefined ? `  (touched ${mib(b.touched_bytes)}: mmap span vs tensors)` : ""}`,
      );
  }
  for (const n of r.notes) if (n.code !== "compute-estimate") out.push(`  ${n.level}: ${n.message}`);
  return out.join("\n");
}
