/**
 * The placement flags a run point stores beside its RuntimeConfig fields (`tensor_overrides`,
 * `cpu_moe`, `n_cpu_moe`, `load_mode`; src/schemas/run-point.ts): split off for the one-device
 * engine, turned into the placement engine's input, and the reason a one-device total does not
 * apply when they move weights to the host or change how host weights are held.
 */
import type { PointConfig } from "../../schemas/run.ts";
import type { PlacementInput } from "../../schemas/placement.ts";

export const POINT_PLACEMENT_KEYS = ["tensor_overrides", "cpu_moe", "n_cpu_moe", "load_mode"] as const;
type PlacementKey = (typeof POINT_PLACEMENT_KEYS)[number];

/** The RuntimeConfig fields of a point's config (placement flags removed). */
export function runtimeFields(c: PointConfig): Omit<PointConfig, PlacementKey> {
  const { tensor_overrides: _o, cpu_moe: _c, n_cpu_moe: _n, load_mode: _l, ...rest } = c;
  return rest;
}

/** The placement engine's flags for a point (devices are the caller's). */
export function pointPlacementFlags(c: PointConfig): PlacementInput {
  const out: PlacementInput = {};
  if (c.tensor_overrides?.length) out.overrides = c.tensor_overrides;
  if (c.cpu_moe !== undefined) out.cpu_moe = c.cpu_moe;
  if (c.n_cpu_moe !== undefined) out.n_cpu_moe = c.n_cpu_moe;
  if (c.load_mode !== undefined) out.load_mode = c.load_mode;
  return out;
}

/** Why a one-device total does not describe this point (null = it does). */
export function pointPlacementReason(c: PointConfig): string | null {
  const moved: string[] = [];
  if (c.tensor_overrides?.length)
    moved.push(`-ot ${c.tensor_overrides.map((o) => `${o.pattern}=${o.buft}`).join(" -ot ")}`);
  if (c.cpu_moe) moved.push("--cpu-moe");
  if (c.n_cpu_moe) moved.push(`--n-cpu-moe ${c.n_cpu_moe}`);
  if (moved.length)
    return `tensors placed by ${moved.join(", ")}: compared per device by the placement engine, not as a one-device total`;
  if (c.load_mode && c.load_mode !== "mmap")
    return `--load-mode ${c.load_mode}: host weights are held differently; compared per device by the placement engine`;
  return null;
}
