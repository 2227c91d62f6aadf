/**
 * The vision projector in the calculator's view (pure): what `--mmproj` adds beside the model.
 *
 * The engine's budget is given the projector's bytes as a reservation (`reserveBudget`, applied
 * by computeStatic), so the verdict, the largest context per line, the GPU layers that fit and
 * the suggestions all count it; `withVision` then adds the projector's rows to the breakdown,
 * lifts the totals and the chart's lines by the same bytes (the budget line stays the budget),
 * and gives the commands `--mmproj`. Weights are exact (tensor table); the encoder compute is
 * src/lib/engine/vision.ts's estimate (±10 %), only for the families it models; image tokens
 * take KV cells of the context the cache already holds (no extra bytes).
 */
import type { Budget as EngineBudget } from "../engine/solve.ts";
import { visionBreakdown, visionProjector, type VisionBreakdown, type VisionProjector } from "../engine/vision.ts";
import { formatBinary, groupDigits } from "../format.ts";
import { shellQuote } from "./commands.ts";
import type { CalcState } from "./state.ts";
import type { LoadedProjector } from "./vision-load.ts";
import type { BudgetView, CalcView, Component } from "./view.ts";

/** Bytes the projector holds on the device and in host memory. */
export interface Reserve {
  device: number;
  host: number;
  /** The projector's weights and encoder compute (device + host = weights + compute), for a PC's placement. */
  weights?: number;
  compute?: number;
}

/** The projector as the state uses it: images per request, offload; on the CPU backend all host. */
/** The projector sized for the state's image size and token limit (dynamic-resolution types; the others ignore them). */
export function sizedProjector(p: LoadedProjector, state: CalcState): VisionProjector {
  if (!p.header || p.projector.encodedImage === undefined) return p.projector;
  const m = /^(\d+)x(\d+)$/.exec(state.imageSize);
  const image = m ? { width: Number(m[1]), height: Number(m[2]) } : null;
  return visionProjector(p.header, { image, maxTokens: state.imageMaxTokens });
}

export function visionUse(p: LoadedProjector, state: CalcState): { v: VisionBreakdown; reserve: Reserve } {
  const v = visionBreakdown(sizedProjector(p, state), { images: state.images, offload: state.mmprojOffload });
  const bytes = v.weightsBytes + (v.computeBytes ?? 0);
  const onDevice = v.device === "gpu" && state.backend !== "cpu";
  const parts = { weights: v.weightsBytes, compute: v.computeBytes ?? 0 };
  return { v, reserve: onDevice ? { device: bytes, host: 0, ...parts } : { device: 0, host: bytes, ...parts } };
}

/** The budget less what the projector holds, in the pools the engine checks. */
export function reserveBudget(b: BudgetView, r: Reserve | null | undefined): BudgetView {
  if (!r || !b.engine) return b;
  const eb: EngineBudget = b.engine;
  const pool = eb.pool === "device" ? r.device : eb.pool === "host" ? r.host : r.device + r.host;
  const engine: EngineBudget = { ...eb, bytes: eb.bytes - pool };
  if (eb.device_limit_bytes !== undefined)
    return { ...b, engine: { ...engine, device_limit_bytes: eb.device_limit_bytes - r.device } };
  return { ...b, engine };
}

function rows(v: VisionBreakdown, r: Reserve, p: LoadedProjector, ctx: number): Component[] {
  const name = p.name;
  const from = p.preset
    ? `the F16 mmproj built from ${p.preset}'s published vision_config (data/projectors.json)`
    : `${name}'s tensor table`;
  const dev = r.device > 0;
  const where = dev ? "on the GPU with the model's first device" : "in host memory";
  const out: Component[] = [
    {
      key: "vision",
      label: `Vision projector (${v.projectorType})`,
      bytes: v.weightsBytes,
      device: dev ? v.weightsBytes : 0,
      detail: `exact, from ${from} (${v.tensors} tensors), ${where}`,
      estimate: false,
      uncalibrated: false,
      range: null,
    },
  ];
  if (v.computeBytes !== null) {
    const c = v.computeBytes;
    out.push({
      key: "vision-compute",
      label: "Image encoder compute",
      bytes: c,
      device: dev ? c : 0,
      detail: `estimate ±10 % (${formatBinary(c * 0.9)} … ${formatBinary(c * 1.1)}), reserved once for the largest image; ${v.basis}`,
      estimate: true,
      uncalibrated: false,
      range: [Math.round(c * 0.9), Math.round(c * 1.1)],
    });
  }
  const cells =
    v.imageCells === null
      ? `image tokens per image not modelled for projector type "${v.projectorType}"`
      : `${v.images} image(s) × ${v.tokensPerImage} tokens = ${groupDigits(v.imageCells)} KV cells of the ${groupDigits(ctx)}-cell context (already in the KV cache: no extra bytes)${v.imageCells > ctx ? "; more than the context holds" : ""}`;
  out.push({
    key: "vision-cells",
    label: "Image tokens (KV cells)",
    bytes: 0,
    device: 0,
    detail: cells,
    estimate: v.imageCells === null,
    uncalibrated: false,
    range: null,
  });
  return out;
}

/** The view (computed with `reserveBudget`) with the projector added to breakdown, totals, chart and commands. */
export function withVision(view: CalcView, p: LoadedProjector, state: CalcState): CalcView {
  const { v, reserve: r } = visionUse(p, state);
  const { s, c } = view;
  if (c.error || !s.model) return view;
  const add = r.device + r.host;
  const poolAdd = s.budget.pool === "device" ? r.device : add;
  const file = p.url ?? p.name;
  const dynamic = v.encodedImage !== undefined;
  const flag = p.url ? "--mmproj-url" : "--mmproj";
  const commands = c.commands.map((cmd) => {
    if (cmd.engine !== "llama-server" || !cmd.text)
      return {
        ...cmd,
        exact: false,
        notes: [
          ...cmd.notes,
          `${cmd.title} cannot be given a separate projector file here (llama-server's ${flag} can).`,
        ],
      };
    return {
      ...cmd,
      text: `${cmd.text} ${flag} ${shellQuote(file)}${state.mmprojOffload ? "" : " --no-mmproj-offload"}${dynamic && state.imageMaxTokens !== null ? ` --image-max-tokens ${state.imageMaxTokens}` : ""}`,
    };
  });
  const shift = (b: number | null) => (b === null ? null : b + poolAdd);
  // a PC's chart and largest context already place the projector (view/placed.ts)
  return {
    s: s.pc
      ? s
      : {
          ...s,
          chart: {
            ...s.chart,
            series: s.chart.series.map((x) => ({
              ...x,
              maxBytes: shift(x.maxBytes),
              points: x.points.map((q) => ({ ...q, bytes: q.bytes + poolAdd })),
            })),
            limits: s.chart.limits?.map((l) => ({ ...l, bytes: l.bytes + r.device })),
          },
          maxTable: s.maxTable.map((row) => ({ ...row, totalBytes: shift(row.totalBytes) })),
        },
    c: {
      ...c,
      components: [...c.components, ...rows(v, r, p, c.allocated)],
      device: c.device + r.device,
      host: c.host + r.host,
      total: c.total + add,
      poolBytes: c.poolBytes + poolAdd,
      current: c.current && { ...c.current, bytes: c.current.bytes + poolAdd },
      offload: { ...c.offload, deviceBytes: c.offload.deviceBytes + r.device, hostBytes: c.offload.hostBytes + r.host },
      commands,
    },
  };
}
