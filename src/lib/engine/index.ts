/**
 * Memory engine public API (pure TypeScript; no DOM, no fs).
 */
export { EngineError } from "./errors.ts";
export type { EngineErrorCode } from "./errors.ts";
export { GGML_TYPE_TRAITS, kvTypeTraits, rowBytes } from "./ggml-types.ts";
export type { TypeTraits } from "./ggml-types.ts";
export { resolveLayers, recurrentWidths } from "./layers.ts";
export type { ResolvedArchitecture, ResolvedLayer, RecurrentWidths } from "./layers.ts";
export { PAD, planContext, swaCells, cellRules, mlaStoresV, llamaCppRevisionForDate } from "./context.ts";
export type { ContextPlan, CellRules } from "./context.ts";
export { planKvTypes, sizeCache, TURBO_ROTATION_BYTES } from "./kv.ts";
export { estimateCompute, estimateOverhead, rotationMatrixBytes } from "./compute.ts";
export { CUDA_CONTEXT_BYTES, cudaOverheadParts } from "./compute/cuda-overhead.ts";
export { matmulProfile } from "./compute/matmul-profile.ts";
export { computeBreakdown, planMemory } from "./breakdown.ts";
export { serverOutputsMax } from "./server-outputs.ts";
export type { BreakdownOptions, MemoryPlan } from "./breakdown.ts";
export {
  tensorBytes,
  tensorTableBytes,
  tensorTableParams,
  allocBytes,
  buildTensorTable,
  quantizeTensorTable,
  loaderTensors,
  BUILDER_FTYPES,
  BUILDER_ARCHS,
} from "./weights.ts";
export { FTYPES, FTYPE_BY_ID, FTYPE_FALLBACK_BPW, FTYPE_BASE_TYPE, normaliseFtype } from "./ftypes.ts";
export type { FtypeInfo } from "./ftypes.ts";
export { maxContext, maxContextPerKvType, contextStep, defaultPool, kvTypesFor } from "./solve.ts";
export type { Budget, BudgetPool, MaxContextOptions, MaxContextResult, PerTypeResult } from "./solve.ts";
