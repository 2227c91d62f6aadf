/**
 * What each memory component rests on, per backend, with the figures that back it — all computed
 * from the engine and the recorded fixtures at build time (the methodology report's table). Pure:
 * the caller passes the catalog's architectures and the CPU compute fixtures.
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { ComputeFixture } from "../../schemas/compute-fixture.ts";
import { CPU_CALIBRATED_ARCHS } from "../engine/compute/cpu-calibrated.ts";
import { METAL_RANGE } from "../engine/compute/metal.ts";
import { computeFitCases } from "../engine/compute-fit.ts";
import { buildTensorTable } from "../engine/weights.ts";

export interface BackendBasis {
  /** Presets whose Q4_K_M weights come from an exact tensor table, and the catalog size. */
  readonly weightsExact: number;
  readonly presets: number;
  /** CPU compute fixtures: cases, within ±10 %, largest |error|, architectures. */
  readonly cpuCases: number;
  readonly cpuWithin10: number;
  readonly cpuWorst: number;
  readonly cpuArchs: number;
  readonly metalLow: number;
  readonly metalHigh: number;
}

function builds(a: Architecture): boolean {
  try {
    return buildTensorTable(a, "Q4_K_M").length > 0;
  } catch {
    return false;
  }
}

export function backendBasis(archs: readonly Architecture[], fixtures: readonly ComputeFixture[]): BackendBasis {
  const cases = fixtures.flatMap((f) => computeFitCases(f));
  return {
    weightsExact: archs.filter(builds).length,
    presets: archs.length,
    cpuCases: cases.length,
    cpuWithin10: cases.filter((c) => Math.abs(c.err) <= 0.1).length,
    cpuWorst: cases.reduce((m, c) => Math.max(m, Math.abs(c.err)), 0),
    cpuArchs: CPU_CALIBRATED_ARCHS.size,
    metalLow: METAL_RANGE.low,
    metalHigh: METAL_RANGE.high,
  };
}
