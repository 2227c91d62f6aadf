/**
 * Calculator settings the placement, vision and suggestion tests (unit and browser) start from,
 * so each test states only what it varies.
 */
import type { CalcState } from "../../src/lib/calculator/state.ts";

/** llama.cpp (current revision) on CUDA, f16 K and V, one sequence. */
export const CUDA_F16 = {
  engine: "llama.cpp",
  revision: "current",
  backend: "cuda",
  typeK: "f16",
  typeV: "f16",
  nSeq: 1,
} as const satisfies Partial<CalcState>;
