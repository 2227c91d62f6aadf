/**
 * "Where every byte goes" as pure data: for each point of a placement run, every llama.cpp buffer
 * (CUDA0, CUDA_Host, CPU, CPU_Mapped …) as the log printed it, beside the per-device placement
 * engine's buffer of the same name and kind, for the point's own flags. The config comes from the
 * ingested point (its log), the placement flags from the point's `case.json` (`placement`, in the
 * placement schema), the device from llama.cpp's memory breakdown (cudaMemGetInfo total).
 */
import type { Architecture } from "../../schemas/architecture.ts";
import { PlacementSchema, type Placement, type PlacedBuffer } from "../../schemas/placement.ts";
import type { EngineProfile } from "../../schemas/runtime-config.ts";
import type { BufferRow, Point, Run } from "../../schemas/run.ts";
import { placeModel } from "../engine/placement/index.ts";
import { buildTensorTable } from "../engine/weights.ts";
import { engineConfig } from "../runs/crosscheck.ts";
import { pointPlacementFlags } from "../runs/point-placement.ts";

/** The buffer kinds llama.cpp prints a size line for, plus the device memory beyond them. */
export type PlaceKind = "weights" | "kv" | "output" | "compute" | "runtime";
export const PLACE_KINDS: readonly PlaceKind[] = ["weights", "kv", "output", "compute", "runtime"];
export const PLACE_KIND_LABEL: Record<PlaceKind, string> = {
  weights: "Weights",
  kv: "KV cache",
  output: "Output (logits)",
  compute: "Compute",
  runtime: "CUDA runtime beyond the buffers",
};

const FROM_ROW: Partial<Record<BufferRow["component"], PlaceKind>> = {
  model: "weights",
  kv: "kv",
  rs: "kv",
  output: "output",
  compute: "compute",
  unaccounted: "runtime",
};
const FROM_PLACED: Record<PlacedBuffer["kind"], PlaceKind> = {
  weights: "weights",
  kv: "kv",
  recurrent: "kv",
  output: "output",
  compute: "compute",
  overhead: "runtime",
};

export interface PlaceCell {
  measured: number | null;
  calculated: number | null;
  /** The calculated figure is a labelled estimate (compute buffers, runtime overhead). */
  estimate: boolean;
}

export interface PlaceDeviceRow {
  /** llama.cpp's buffer name (`CUDA0`, `CUDA_Host`, `CPU`, `CPU_Mapped`). */
  buffer: string;
  cells: Record<PlaceKind, PlaceCell>;
  total: PlaceCell;
}

export interface PlacePoint {
  pointId: string;
  rows: PlaceDeviceRow[];
  error: string | null;
}

/**
 * The placement flags a point stores in its config (or, for runs ingested before they were stored,
 * its case.json states); the device comes from its memory breakdown.
 */
export function pointPlacement(p: Point, flags: unknown): Placement {
  const gpu = p.memory_breakdown?.find((r) => !r.host && r.total_bytes !== undefined);
  if (!gpu) throw new Error(`point ${p.id}: no device total in llama.cpp's memory breakdown`);
  const devices = [{ kind: "cuda", name: gpu.description ?? gpu.device, memory_bytes: gpu.total_bytes }];
  return PlacementSchema.parse({ ...(flags as object), ...pointPlacementFlags(p.config), devices });
}

function sumInto(m: Map<string, Map<PlaceKind, number>>, buffer: string, kind: PlaceKind, bytes: number): void {
  let row = m.get(buffer);
  if (!row) m.set(buffer, (row = new Map()));
  row.set(kind, (row.get(kind) ?? 0) + bytes);
}

/** Buffer names in a fixed order: devices first, then pinned host, then plain host buffers. */
function bufferOrder(a: string, b: string): number {
  const rank = (n: string) => (n.startsWith("CPU") ? 2 : n.endsWith("_Host") ? 1 : 0);
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** Measured beside calculated, per buffer name and kind, for one point. */
export function placePoint(run: Run, p: Point, arch: Architecture, profile: EngineProfile, flags: unknown): PlacePoint {
  const measured = new Map<string, Map<PlaceKind, number>>();
  for (const b of p.buffers) {
    const kind = FROM_ROW[b.component];
    if (kind) sumInto(measured, b.device, kind, b.bytes);
  }
  const calculated = new Map<string, Map<PlaceKind, number>>();
  const estimated = new Set<string>();
  let error: string | null = null;
  try {
    const { config } = engineConfig(run, p, profile);
    // the run names its file type: the exact table; otherwise the engine estimates from parameters
    const tensors = config.weights_ftype ? buildTensorTable(arch, config.weights_ftype) : null;
    const placed = placeModel(arch, config, pointPlacement(p, flags), tensors);
    for (const b of placed.buffers) {
      const kind = FROM_PLACED[b.kind];
      // the runtime overhead is device memory beyond the buffers, which llama.cpp's breakdown
      // reports as "unaccounted" on the device it belongs to
      const name = kind === "runtime" ? b.device : b.name;
      if (b.bytes > 0 || kind !== "runtime") sumInto(calculated, name, kind, b.bytes);
      if (b.estimate) estimated.add(`${name}|${kind}`);
    }
  } catch (e) {
    error = (e as Error).message;
  }
  const names = [...new Set([...measured.keys(), ...calculated.keys()])].sort(bufferOrder);
  const rows = names.map((buffer): PlaceDeviceRow => {
    const m = measured.get(buffer);
    const c = error === null ? calculated.get(buffer) : undefined;
    const cells = {} as Record<PlaceKind, PlaceCell>;
    const total: PlaceCell = { measured: null, calculated: null, estimate: false };
    for (const k of PLACE_KINDS) {
      const cell: PlaceCell = {
        measured: m?.get(k) ?? null,
        calculated: c?.get(k) ?? null,
        estimate: estimated.has(`${buffer}|${k}`),
      };
      cells[k] = cell;
      if (cell.measured !== null) total.measured = (total.measured ?? 0) + cell.measured;
      if (cell.calculated !== null) total.calculated = (total.calculated ?? 0) + cell.calculated;
      total.estimate ||= cell.estimate && cell.calculated !== null;
    }
    return { buffer, cells, total };
  });
  return { pointId: p.id, rows, error };
}

/** Every finished point of a run that states its placement flags. */
export function placementRows(
  run: Run,
  arch: Architecture | { error: string },
  profile: EngineProfile,
  flagsOf: (pointId: string) => unknown,
): PlacePoint[] {
  return run.points
    .filter((p) => p.status === "ok")
    .map((p) =>
      "error" in arch
        ? { pointId: p.id, rows: [], error: arch.error }
        : placePoint(run, p, arch, profile, flagsOf(p.id)),
    );
}
