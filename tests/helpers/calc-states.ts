/**
 * Calculator settings the placement, vision and suggestion tests (unit and browser) start from,
 * so each test states only what it varies.
 */
import { DEFAULT_STATE, ENGINE_REVISIONS, type CalcState } from "../../src/lib/calculator/state.ts";

/** llama.cpp (current revision) on CUDA, f16 K and V, one sequence. */
export const CUDA_F16 = {
  engine: "llama.cpp",
  revision: "current",
  backend: "cuda",
  typeK: "f16",
  typeV: "f16",
  nSeq: 1,
} as const satisfies Partial<CalcState>;

/**
 * First loads of the calculator page that the island's adoption tests start from: the default,
 * a CUDA preset on a 24 GB card, quantized K/V at 64K, the residual view, and one that does not
 * fit (its half at the context has suggestions).
 */
export const FIRST_LOADS: readonly CalcState[] = [
  DEFAULT_STATE,
  {
    ...DEFAULT_STATE,
    model: "qwen3-14b",
    budget: "rtx-4090",
    engine: "llama.cpp",
    revision: ENGINE_REVISIONS["llama.cpp"][0],
    backend: "cuda",
  },
  { ...DEFAULT_STATE, model: "gemma-3-27b", typeK: "q8_0", typeV: "q8_0", ctx: 65536 },
  { ...DEFAULT_STATE, model: "gpt-oss-20b", view: "residual" },
  { ...DEFAULT_STATE, model: "llama-3.3-70b", typeK: "f16", typeV: "f16", ctx: 131072 },
];
