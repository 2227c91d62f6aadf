import type { GgmlTypeName } from "../../schemas/ggml-type.ts";

/**
 * The engine's one table of weight file types (llama.h `enum llama_ftype` of llama.cpp de3ff81):
 * llama-quantize spelling, `general.file_type` value, default tensor type
 * (`llama_ftype_get_default_type`) and the bits per weight of the labelled params × bpw fallback.
 *
 * It mirrors data/quants/weight-ftypes.json row for row (src/lib has no fs, so it cannot read the
 * JSON); tests/unit/catalog/quants.test.ts fails on any difference: `bpw` is the catalog's
 * typicalBpw (llama-quantize's Llama-3-8B table) where one is known, else its nominalBpw.
 */
export interface FtypeInfo {
  readonly id: string;
  readonly ftype: number;
  readonly base: GgmlTypeName;
  readonly bpw: number;
}

export const FTYPES: readonly FtypeInfo[] = [
  { id: "F32", ftype: 0, base: "f32", bpw: 32 },
  { id: "F16", ftype: 1, base: "f16", bpw: 16 },
  { id: "Q4_0", ftype: 2, base: "q4_0", bpw: 4.64 },
  { id: "Q4_1", ftype: 3, base: "q4_1", bpw: 5.11 },
  { id: "Q8_0", ftype: 7, base: "q8_0", bpw: 8.51 },
  { id: "Q5_0", ftype: 8, base: "q5_0", bpw: 5.57 },
  { id: "Q5_1", ftype: 9, base: "q5_1", bpw: 6.04 },
  { id: "Q2_K", ftype: 10, base: "q2_K", bpw: 3.17 },
  { id: "Q3_K_S", ftype: 11, base: "q3_K", bpw: 3.65 },
  { id: "Q3_K_M", ftype: 12, base: "q3_K", bpw: 4 },
  { id: "Q3_K_L", ftype: 13, base: "q3_K", bpw: 4.31 },
  { id: "Q4_K_S", ftype: 14, base: "q4_K", bpw: 4.67 },
  { id: "Q4_K_M", ftype: 15, base: "q4_K", bpw: 4.9 },
  { id: "Q5_K_S", ftype: 16, base: "q5_K", bpw: 5.57 },
  { id: "Q5_K_M", ftype: 17, base: "q5_K", bpw: 5.7 },
  { id: "Q6_K", ftype: 18, base: "q6_K", bpw: 6.57 },
  { id: "IQ2_XXS", ftype: 19, base: "iq2_xxs", bpw: 2.0625 },
  { id: "IQ2_XS", ftype: 20, base: "iq2_xs", bpw: 2.3125 },
  { id: "Q2_K_S", ftype: 21, base: "q2_K", bpw: 3.17 },
  { id: "IQ3_XS", ftype: 22, base: "iq3_s", bpw: 3.3 },
  { id: "IQ3_XXS", ftype: 23, base: "iq3_xxs", bpw: 3.0625 },
  { id: "IQ1_S", ftype: 24, base: "iq1_s", bpw: 1.5625 },
  { id: "IQ4_NL", ftype: 25, base: "iq4_nl", bpw: 4.5 },
  { id: "IQ3_S", ftype: 26, base: "iq3_s", bpw: 3.4375 },
  { id: "IQ3_M", ftype: 27, base: "iq3_s", bpw: 3.66 },
  { id: "IQ2_S", ftype: 28, base: "iq2_xs", bpw: 2.5 },
  { id: "IQ2_M", ftype: 29, base: "iq2_s", bpw: 2.7 },
  { id: "IQ4_XS", ftype: 30, base: "iq4_xs", bpw: 4.25 },
  { id: "IQ1_M", ftype: 31, base: "iq1_m", bpw: 1.75 },
  { id: "BF16", ftype: 32, base: "bf16", bpw: 16 },
  { id: "TQ1_0", ftype: 36, base: "tq1_0", bpw: 1.6875 },
  { id: "TQ2_0", ftype: 37, base: "tq2_0", bpw: 2.0625 },
  { id: "MXFP4_MOE", ftype: 38, base: "mxfp4", bpw: 4.25 },
  { id: "NVFP4", ftype: 39, base: "nvfp4", bpw: 4.5 },
  { id: "Q1_0", ftype: 40, base: "q1_0", bpw: 1.125 },
  { id: "Q2_0", ftype: 41, base: "q2_0", bpw: 2.25 },
];

/** `general.file_type` enum → ftype name (llama-quantize spelling). */
export const FTYPE_BY_ID: Readonly<Record<number, string>> = Object.fromEntries(FTYPES.map((f) => [f.ftype, f.id]));

/** Bits per weight of the labelled params × bpw fallback, by ftype name. */
export const FTYPE_FALLBACK_BPW: Readonly<Record<string, number>> = Object.fromEntries(
  FTYPES.map((f) => [f.id, f.bpw]),
);

/** Default tensor type of an ftype (`llama_ftype_get_default_type`), by ftype name. */
export const FTYPE_BASE_TYPE: Readonly<Record<string, GgmlTypeName>> = Object.fromEntries(
  FTYPES.map((f) => [f.id, f.base]),
);

/** Normalise an ftype spelling ("q4_k_m", "Q4_K_M", "MOSTLY_Q4_K_M") to llama-quantize's. */
export function normaliseFtype(ftype: string): string {
  return ftype
    .trim()
    .toUpperCase()
    .replace(/^(LLAMA_FTYPE_)?MOSTLY_/, "");
}
