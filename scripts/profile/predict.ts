/**
 * The engine's prediction for each step (src/lib/engine, the same maths the site shows), used for
 * `--dry-run` and for the safety check before a step: the context's memory (KV, recurrent state,
 * output, compute and runtime overhead — the weights are loaded once, before the first step)
 * is compared with the memory free at that moment.
 */
import os from "node:os";
import { computeBreakdown } from "../../src/lib/engine/index.ts";
import { ggufToArchitecture } from "../../src/lib/gguf/map.ts";
import { FTYPE_BY_ID } from "../../src/lib/engine/weights.ts";
import type { Architecture } from "../../src/schemas/architecture.ts";
import type { Breakdown } from "../../src/schemas/breakdown.ts";
import {
  RuntimeConfigSchema,
  type Backend,
  type EngineProfile,
  type RuntimeConfig,
} from "../../src/schemas/runtime-config.ts";
import type { TensorTable } from "../../src/schemas/tensor-table.ts";
import { MiB } from "../../src/lib/units.ts";
import type { ModelFileInfo } from "./model-file.ts";
import type { Step } from "./plan.ts";
import { formatBinary } from "../../src/lib/format.ts";

export interface ModelForEngine {
  arch: Architecture | null;
  tensors: TensorTable | null;
  ftype: string | null;
  /** Why the engine cannot size this model (unsupported architecture …). */
  error: string | null;
}

export function modelForEngine(m: ModelFileInfo): ModelForEngine {
  const tensors: TensorTable = m.header.tensors.map((t) => ({
    name: t.name,
    dims: t.shape,
    type: t.type as TensorTable[number]["type"],
  }));
  const ftype = m.fileTypeId !== null ? (FTYPE_BY_ID[m.fileTypeId] ?? null) : null;
  try {
    const arch = ggufToArchitecture(m.header.metadata, { tensors: m.header.tensors });
    return { arch, tensors, ftype, error: null };
  } catch (err) {
    return { arch: null, tensors, ftype, error: err instanceof Error ? err.message : String(err) };
  }
}

export interface Prediction {
  config: RuntimeConfig;
  breakdown: Breakdown | null;
  error: string | null;
  /** Memory a new context adds once the model is loaded, per pool. */
  contextDeviceBytes: number;
  contextHostBytes: number;
}

export function stepConfig(step: Step, backend: Backend, engine: EngineProfile, nGpuLayers: number): RuntimeConfig {
  return RuntimeConfigSchema.parse({
    n_ctx: step.n_ctx,
    type_k: step.type_k,
    type_v: step.type_v,
    n_seq: step.n_seq,
    kv_unified: false,
    flash_attn: step.flash_attn,
    n_ubatch: step.n_ubatch,
    n_batch: step.n_batch,
    n_gpu_layers: nGpuLayers,
    backend,
    engine,
  });
}

export function predictStep(
  model: ModelForEngine,
  step: Step,
  backend: Backend,
  engine: EngineProfile,
  nGpuLayers: number,
): Prediction {
  const config = stepConfig(step, backend, engine, nGpuLayers);
  if (!model.arch) return { config, breakdown: null, error: model.error, contextDeviceBytes: 0, contextHostBytes: 0 };
  try {
    const b = computeBreakdown(model.arch, config, { tensors: model.tensors, tensors_ftype: model.ftype });
    let wDev = 0;
    let wHost = 0;
    for (const w of b.weights.per_device) {
      if (w.host) wHost += w.bytes;
      else wDev += w.bytes;
    }
    return {
      config,
      breakdown: b,
      error: null,
      contextDeviceBytes: Math.max(0, b.total.device_bytes - wDev),
      contextHostBytes: Math.max(0, b.total.host_bytes - wHost),
    };
  } catch (err) {
    return {
      config,
      breakdown: null,
      error: err instanceof Error ? err.message : String(err),
      contextDeviceBytes: 0,
      contextHostBytes: 0,
    };
  }
}

export interface FreeMemory {
  hostBytes: number;
  /** null when there is no separate device pool (CPU, or Apple unified memory counted as host). */
  deviceBytes: number | null;
  unified: boolean;
}

/** Kept free on top of the prediction, for the OS and the estimates' error. */
export const SAFETY_MARGIN_BYTES = 256 * MiB;

export interface FitVerdict {
  fits: boolean;
  /** Human reason, e.g. "needs 5.00 GiB of host memory, 3.20 GiB free". */
  reason: string;
}

/**
 * Does a step fit? `includeWeights` for runners that load the model per step (llama-server).
 * Without a prediction the step is let through: the allocation itself will say.
 */
export function checkFit(p: Prediction, free: FreeMemory, includeWeights: boolean): FitVerdict {
  if (!p.breakdown) return { fits: true, reason: `no prediction (${p.error ?? "unknown"}); running it` };
  const needDev = includeWeights ? p.breakdown.total.device_bytes : p.contextDeviceBytes;
  const needHost = includeWeights ? p.breakdown.total.host_bytes : p.contextHostBytes;
  const hostNeed = free.unified ? needHost + needDev : needHost;
  const problems: string[] = [];
  if (hostNeed + SAFETY_MARGIN_BYTES > free.hostBytes)
    problems.push(
      `${formatBinary(hostNeed)} of ${free.unified ? "unified" : "host"} memory, ${formatBinary(free.hostBytes)} free`,
    );
  if (free.deviceBytes !== null && needDev + SAFETY_MARGIN_BYTES > free.deviceBytes)
    problems.push(`${formatBinary(needDev)} of device memory, ${formatBinary(free.deviceBytes)} free`);
  if (problems.length)
    return {
      fits: false,
      reason: `predicted to need ${problems.join(" and ")} (margin ${formatBinary(SAFETY_MARGIN_BYTES)})`,
    };
  return {
    fits: true,
    reason: `needs ${formatBinary(hostNeed)} host${free.deviceBytes !== null ? ` + ${formatBinary(needDev)} device` : ""}`,
  };
}

/** Host memory free now (MemAvailable on Linux). */
export function freeHostBytes(): number {
  return os.freemem();
}
