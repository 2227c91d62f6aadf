/**
 * The breakdown table's rows at the slider's context: weights, K, V, rotation buffers, recurrent
 * state, output buffer, compute buffers and runtime overhead, each with its device share and how
 * it is known (exact, estimate, uncalibrated range).
 */
import type { Breakdown } from "../../../schemas/breakdown.ts";
import { METAL_RANGE } from "../../engine/compute/metal.ts";
import { formatBinary } from "../../format.ts";
import type { Component, StaticView } from "./types.ts";

type Placed = readonly { host: boolean; bytes: number }[];
const devOf = (list: Placed) => list.filter((x) => !x.host).reduce((s, x) => s + x.bytes, 0);
const hostOf = (list: Placed) => list.filter((x) => x.host).reduce((s, x) => s + x.bytes, 0);

const EXACT = { estimate: false, uncalibrated: false, range: null } as const;

function weightsDetail(b: Breakdown): string {
  return b.weights.source === "tensor-table"
    ? `exact, from the GGUF's tensor table${b.weights.ftype ? ` (${b.weights.ftype})` : ""}`
    : b.weights.source === "builder"
      ? `exact tensor table built for ${b.weights.ftype} (llama-quantize mixing rules)`
      : b.weights.source === "params-x-bpw"
        ? `estimate: parameters × typical bits per weight of ${b.weights.ftype}`
        : "unknown (no ftype)";
}

function weightsRow(b: Breakdown, visionBytes: number): Component {
  const w = b.weights.per_device;
  return {
    key: "weights",
    label: "Weights",
    bytes: devOf(w) + hostOf(w),
    device: devOf(w),
    detail: `${weightsDetail(b)}; file ${formatBinary(b.weights.bytes)}; device ${formatBinary(devOf(w))}, host ${formatBinary(hostOf(w))}${
      b.weights.tied_duplicate_bytes
        ? `; includes the tied output copy ${formatBinary(b.weights.tied_duplicate_bytes)}`
        : ""
    }${visionBytes ? `; includes the vision encoder ${formatBinary(visionBytes)} (estimate, F16 mmproj)` : ""}`,
    estimate: b.weights.estimate,
    uncalibrated: false,
    range: null,
  };
}

/** K and V rows (and TurboQuant's rotation buffers, which live in the KV buffer). */
function kvRows(b: Breakdown, vMixed: string | null, isMla: boolean): Component[] {
  // KV per device includes alignment and rotation buffers; split K/V by their size-line shares.
  const kvDev = devOf(b.kv.per_device);
  const kShare = b.kv.bytes > 0 ? b.kv.k_bytes / b.kv.bytes : 0.5;
  const caches = b.kv.caches.map(
    (c) => `${c.kind} cache ${c.cells} cells × ${c.n_stream} stream(s), ${c.layers} layers`,
  );
  const rows: Component[] = [
    {
      key: "k",
      label: `KV: K (${b.effective.type_k})`,
      bytes: b.kv.k_bytes,
      device: kvDev * kShare,
      detail: `${caches.join("; ") || "no attention layers"}`,
      ...EXACT,
    },
    {
      key: "v",
      label: `KV: V (${b.effective.type_v}${vMixed ? "*" : ""})`,
      bytes: b.kv.v_bytes,
      device: kvDev * (1 - kShare),
      detail: vMixed ? `* ${vMixed}` : isMla ? "MLA stores K only" : "exact",
      ...EXACT,
    },
  ];
  if (b.kv.extra_bytes)
    rows.push({
      key: "rot",
      label: "TurboQuant rotation buffers",
      bytes: b.kv.extra_bytes,
      device: 0,
      detail: "in the KV buffer, not in the size line",
      ...EXACT,
    });
  return rows;
}

/** Low and high end of a Metal compute estimate (METAL_RANGE of src/lib/engine/compute/metal.ts). */
export function metalComputeRange(bytes: number): [number, number] {
  return [Math.round(bytes * (1 + METAL_RANGE.low)), Math.round(bytes * (1 + METAL_RANGE.high))];
}

/** Recurrent state, output buffer, compute buffers, runtime overhead. */
function otherRows(b: Breakdown, metal: boolean, mr: StaticView["metalRange"]): Component[] {
  return [
    {
      key: "rs",
      label: "Recurrent state",
      bytes: b.recurrent.bytes,
      device: devOf(b.recurrent.per_device),
      detail: b.recurrent.layers
        ? `${b.recurrent.layers} layers × ${b.recurrent.cells} cells (sequences), f32`
        : "none",
      ...EXACT,
    },
    {
      key: "out",
      label: "Output (logits) buffer",
      bytes: b.output.bytes,
      device: 0,
      detail: `${b.output.name}, host; n_vocab × n_seq × 4 B`,
      ...EXACT,
    },
    {
      key: "compute",
      label: "Compute buffers",
      bytes: b.compute.bytes,
      device: devOf(b.compute.per_backend),
      detail: b.compute.label,
      estimate: true,
      uncalibrated: metal,
      // The engine's labelled Metal estimate and its range (docs/memory-model.md#compute-metal).
      range: metal ? metalComputeRange(b.compute.bytes) : null,
      rangeSource: metal
        ? `the engine's Metal estimate, ${METAL_RANGE.low * 100} % … +${METAL_RANGE.high * 100} %`
        : null,
    },
    {
      key: "overhead",
      label: "Runtime overhead",
      bytes: b.overhead.bytes,
      device: b.overhead.device_bytes,
      detail: b.overhead.label,
      estimate: true,
      uncalibrated: !b.overhead.calibrated,
      range: mr ? [b.overhead.bytes, Math.max(b.overhead.bytes, mr.overheadHi)] : null,
      rangeSource: mr ? `high end: the allowance in “${mr.source}”` : null,
    },
  ];
}

export interface RowsInput {
  /** Bytes of the vision encoder counted in the weights (0: none). */
  visionBytes: number;
  /** V types on boundary layers other than the main one, in words (null: one V type). */
  vMixed: string | null;
  isMla: boolean;
  metal: boolean;
  metalRange: StaticView["metalRange"];
}

/** Every row of the breakdown table, in display order. */
export function breakdownRows(b: Breakdown, inp: RowsInput): Component[] {
  return [
    weightsRow(b, inp.visionBytes),
    ...kvRows(b, inp.vMixed, inp.isMla),
    ...otherRows(b, inp.metal, inp.metalRange),
  ];
}
