import type { Architecture } from "../../../schemas/architecture.ts";
import type { Note } from "../../../schemas/breakdown.ts";
import type { Placement, PlacedBuffer, PlacedDevice } from "../../../schemas/placement.ts";
import type { RuntimeConfig } from "../../../schemas/runtime-config.ts";
import type { TensorTable } from "../../../schemas/tensor-table.ts";
import { isQuantizedKvType } from "../../kv-types.ts";
import { planMemory } from "../breakdown.ts";
import type { MemoryPlan } from "../breakdown.ts";
import { estimateOverhead } from "../compute.ts";
import { matmulProfile, matmulProfileFromArch } from "../compute/matmul-profile.ts";
import type { ComputeInput } from "../compute.ts";
import { missingField } from "../errors.ts";
import { tensorBytes, tensorLayer } from "../weights.ts";
import { kvTypeTraits } from "../ggml-types.ts";
import { assignLayers, orderDevices, splitPoints } from "./devices.ts";
import type { PlacedDev } from "./devices.ts";
import { placeTensors } from "./tensors.ts";
import { computePerDevice, pipelineParallel } from "./compute.ts";

export { assignLayers, orderDevices, splitPoints } from "./devices.ts";
export type { PlacedDev } from "./devices.ts";
export { overrideList, placeTensors } from "./tensors.ts";

/**
 * Placement of every buffer llama.cpp allocates for a model on a machine: weights per buffer type,
 * KV and recurrent state on the device of their layer (`llama_kv_cache` uses `model.dev_layer(il)`;
 * `--no-kv-offload` keeps them in a CPU buffer), the output buffer in the output device's pinned
 * host type or the CPU (src/llama-context.cpp), compute buffers per backend and runtime overhead
 * per used CUDA/ROCm device (both labelled estimates).
 */
export interface PlacementResult {
  readonly buffers: PlacedBuffer[];
  readonly devices: PlacedDevice[];
  /** Buffer name of each layer 0 … n_layer_all (last = output layer); `CPU` when not offloaded. */
  readonly layer_buffers: string[];
  readonly notes: Note[];
}

const HOST = "host";

function kvAlign(d: PlacedDev | null): { align: number; cuda: boolean } {
  const cuda = d !== null && (d.device.kind === "cuda" || d.device.kind === "rocm");
  return { align: cuda ? 128 : 32, cuda };
}

/** KV and recurrent buffers per device (tensor sizes padded to each buffer's alignment). */
function stateBuffers(m: MemoryPlan, config: RuntimeConfig, devs: PlacedDev[], devOf: (il: number) => number | null) {
  // one buffer per cache instance and device, as each llama_kv_cache prints its own lines
  const out = new Map<string, { dev: number | null; kind: "kv" | "recurrent"; bytes: number }>();
  let cache = "";
  const add = (dev: number | null, kind: "kv" | "recurrent", bytes: number): void => {
    const name = dev === null ? "CPU" : devs[dev].buft;
    const key = `${kind}|${cache}|${name}`;
    const e = out.get(key);
    if (e) e.bytes += bytes;
    else out.set(key, { dev, kind, bytes });
  };
  const where = (il: number): number | null => (config.no_kv_offload ? null : devOf(il));
  for (const c of m.caches) {
    cache = c.kind;
    for (const row of c.rows) {
      const dev = where(row.layer);
      const { align, cuda } = kvAlign(dev === null ? null : devs[dev]);
      let kb = row.k_bytes;
      let vb = row.v_bytes;
      if (cuda) {
        kb += cudaRowPad(row.type_k, row.k_width, config);
        if (row.type_v) vb += cudaRowPad(row.type_v, row.v_width, config);
      }
      add(dev, "kv", Math.ceil(kb / align) * align + (row.type_v ? Math.ceil(vb / align) * align : 0));
    }
    if (c.extra_bytes > 0 && c.rows.length > 0) add(where(c.rows[0].layer), "kv", c.extra_bytes);
  }
  cache = "rs";
  for (const row of m.recurrent.rows) {
    const dev = where(row.layer);
    const { align } = kvAlign(dev === null ? null : devs[dev]);
    add(dev, "recurrent", Math.ceil(row.r_bytes / align) * align + Math.ceil(row.s_bytes / align) * align);
  }
  return [...out.entries()].map(([key, v]) => ({ name: key.slice(key.indexOf("|", key.indexOf("|") + 1) + 1), ...v }));
}

function cudaRowPad(type: Parameters<typeof kvTypeTraits>[0], width: number, config: RuntimeConfig): number {
  if (width % 512 === 0 || !isQuantizedKvType(type)) return 0;
  const tr = kvTypeTraits(type, config.engine);
  return Math.ceil((512 - (width % 512)) / tr.blck) * tr.bytes;
}

function computeInput(arch: Architecture, config: RuntimeConfig, m: MemoryPlan): ComputeInput {
  if (arch.vocab_size === null) throw missingField("vocab_size", "for the output and compute buffers");
  if (arch.n_embd === null) throw missingField("n_embd", "for the compute buffer");
  const full = m.caches.find((c) => c.kind === "full" && c.layers > 0) ?? m.caches.find((c) => c.kind === "swa");
  return {
    r: m.r,
    n_vocab: arch.vocab_size,
    n_embd: arch.n_embd,
    n_tok: m.plan.n_ubatch,
    // a context reserved for fewer outputs than tokens (a draft's): docs/memory-model.md#draft-outputs
    ...(config.n_outputs_max !== undefined ? { n_out: Math.min(m.plan.n_ubatch, config.n_outputs_max) } : {}),
    n_kv: full ? full.cells : 0,
    cells_total: full ? full.cells * full.n_stream : 1,
    fa: m.fa,
    type_k: m.types.type_k,
    type_v: m.types.type_v,
    n_head: m.r.n_head_max,
    // Metal devices take the Metal terms (docs/memory-model.md#server-outputs); other GPUs CUDA's
    backend: config.backend === "metal" ? "metal" : "cuda",
    offload: "all",
    profile: config.engine,
  };
}

const devNameOf = (devs: readonly PlacedDev[], dev: number | null): string => (dev === null ? HOST : devs[dev].buft);

/** Weights per buffer, the tensor → buffer map, the largest host tensor and which offloaded tensors stay on the host. */
interface WeightSite {
  buffers: PlacedBuffer[];
  where: Map<string, string>;
  largestHost: number;
  unused: number;
  expertsOnHost: boolean;
  otherOnHost: boolean;
}

/**
 * Tensor placement does not depend on the context: cached per tensor table and (placement, layer →
 * device map), so a context search or a chart re-places only the KV and buffers. Read-only entries.
 */
const weightCache = new WeakMap<TensorTable, Map<string, WeightSite>>();
const WEIGHT_CACHE_MAX = 64;

/** Weights per buffer type (from the tensor table), cached (see weightCache). */
function weightBuffers(
  tensors: TensorTable | null,
  devs: PlacedDev[],
  layerDev: readonly (number | null)[],
  placement: Placement,
  notes: Note[],
): WeightSite {
  if (!tensors) {
    notes.push({
      code: "weights-missing",
      level: "warning",
      message: "no tensor table: weights per device not placed (give a GGUF or --weights)",
    });
    return { buffers: [], where: new Map(), largestHost: 0, unused: 0, expertsOnHost: false, otherOnHost: false };
  }
  let per = weightCache.get(tensors);
  if (!per) weightCache.set(tensors, (per = new Map()));
  const key = JSON.stringify([placement, layerDev]);
  let site = per.get(key);
  if (!site) {
    site = placeWeights(tensors, devs, layerDev, placement);
    if (per.size >= WEIGHT_CACHE_MAX) per.delete(per.keys().next().value!);
    per.set(key, site);
  }
  if (site.unused > 0)
    notes.push({
      code: "override-unused",
      level: "info",
      message: `expert patterns matched no tensor (${site.unused}): --cpu-moe/--n-cpu-moe change nothing here`,
    });
  return site;
}

function placeWeights(
  tensors: TensorTable,
  devs: PlacedDev[],
  layerDev: readonly (number | null)[],
  placement: Placement,
): WeightSite {
  const tp = placeTensors(tensors, devs, layerDev, placement);
  let largestHost = 0;
  for (const t of tensors)
    if (tp.where.get(t.name) === "CPU_Mapped" || tp.where.get(t.name) === "CPU")
      largestHost = Math.max(largestHost, tensorBytes(t));
  const buffers: PlacedBuffer[] = tp.buffers.map((b) => ({
    name: b.name,
    kind: "weights",
    pool: b.dev === null ? "host" : "device",
    device: devNameOf(devs, b.dev),
    bytes: b.bytes,
    ...(b.touched !== b.bytes ? { touched_bytes: b.touched } : {}),
    estimate: false,
  }));
  // tensors of an offloaded layer that an override keeps on the host (the compute model asks)
  const hostNames = new Set(["CPU", "CPU_Mapped", ...devs.flatMap((d) => (d.host_buft ? [d.host_buft] : []))]);
  const onHost = [...tp.where].filter(([name, buf]) => {
    const il = tensorLayer(name);
    return il !== null && (layerDev[il] ?? null) !== null && hostNames.has(buf);
  });
  return {
    buffers,
    where: tp.where,
    largestHost,
    unused: tp.unused.length,
    expertsOnHost: onHost.some(([n]) => n.includes("_exps")),
    otherOnHost: onHost.some(([n]) => !n.includes("_exps")),
  };
}

/** What the compute-buffer model needs to know about where layers and tensors went. */
interface ComputeSite {
  devs: PlacedDev[];
  layerDev: readonly (number | null)[];
  weights: WeightSite;
  placement: Placement;
}

/** Compute buffers per backend (labelled estimates), the label saying how they were sized, the GPUs that hold one. */
function computeBuffers(
  config: RuntimeConfig,
  m: MemoryPlan,
  ci: ComputeInput,
  site: ComputeSite,
): { buffers: PlacedBuffer[]; label: string; gpus: number[] } {
  const { devs, layerDev } = site;
  const nAll = m.r.n_layer_all;
  const devOf = (il: number): number | null => layerDev[il] ?? null;
  const used = new Set(layerDev.filter((d): d is number => d !== null));
  const anyCpu = layerDev.some((d) => d === null);
  const perCell = ci.n_tok * (m.fa ? 2 : 4);
  const swa = m.caches.find((c) => c.kind === "swa");
  const comp = computePerDevice(ci, devs, used, devOf(nAll), anyCpu, {
    largest_host_tensor: site.weights.largestHost,
    mask_bytes: ci.n_kv * perCell,
    swa_mask_bytes: swa ? swa.cells * perCell : 0,
    swa_cells: swa ? swa.cells : 0,
    experts_on_host: site.weights.expertsOnHost,
    other_overrides_on_host: site.weights.otherOnHost,
    no_kv_offload: config.no_kv_offload,
    pipeline_parallel: pipelineParallel(devs, nAll, config, site.placement),
  });
  const buffers: PlacedBuffer[] = comp.list.map((c) => ({
    name: c.name,
    kind: "compute",
    pool: c.dev === null ? "host" : "device",
    device: devNameOf(devs, c.dev),
    bytes: c.bytes,
    estimate: true,
  }));
  return { buffers, label: comp.label, gpus: comp.list.flatMap((c) => (c.dev === null ? [] : [c.dev])) };
}

const matmulCache = new WeakMap<TensorTable, ReturnType<typeof matmulProfile>>();

/** The tensor table's matmul profile, once per table (it does not depend on the context). */
function cachedMatmul(tensors: TensorTable): ReturnType<typeof matmulProfile> {
  let m = matmulCache.get(tensors);
  if (!m) matmulCache.set(tensors, (m = matmulProfile(tensors)));
  return m;
}

/** Runtime overhead (CUDA/ROCm context, cuBLAS workspace) on every GPU that runs anything. */
function overheadBuffers(
  arch: Architecture,
  config: RuntimeConfig,
  ci: ComputeInput,
  tensors: TensorTable | null,
  devs: PlacedDev[],
  running: ReadonlySet<number>,
): PlacedBuffer[] {
  const matmul = tensors ? cachedMatmul(tensors) : matmulProfileFromArch(arch, config.weights_ftype ?? null);
  const over = estimateOverhead({ ...ci, offload: "all", matmul }).device_bytes;
  return [...running]
    .filter((i) => devs[i].device.kind === "cuda" || devs[i].device.kind === "rocm")
    .map((i) => ({
      name: `${devs[i].buft} context`,
      kind: "overhead",
      pool: "device",
      device: devs[i].buft,
      bytes: over,
      estimate: true,
    }));
}

/** Place a model on the machine described by `placement` (devices, split, overrides, load mode). */
export function placeModel(
  arch: Architecture,
  config: RuntimeConfig,
  placement: Placement,
  tensors: TensorTable | null,
): PlacementResult {
  const notes: Note[] = [];
  const devs = orderDevices(placement);
  const m = planMemory(arch, config);
  const nAll = m.r.n_layer_all;
  const layerDev = assignLayers(nAll, config.n_gpu_layers, splitPoints(devs, placement.tensor_split));
  const devOf = (il: number): number | null => layerDev[il] ?? null;
  const weights = weightBuffers(tensors, devs, layerDev, placement, notes);
  const buffers: PlacedBuffer[] = [...weights.buffers];
  for (const s of stateBuffers(m, config, devs, devOf))
    buffers.push({
      name: s.name,
      kind: s.kind,
      pool: s.dev === null ? "host" : "device",
      device: devNameOf(devs, s.dev),
      bytes: s.bytes,
      estimate: false,
    });
  const outDev = devOf(nAll);
  const ci = computeInput(arch, config, m);
  buffers.push({
    name: outDev !== null ? (devs[outDev].host_buft ?? "CPU") : "CPU",
    kind: "output",
    pool: "host",
    device: HOST,
    bytes: arch.vocab_size! * config.n_seq * 4,
    estimate: false,
  });
  const site = { devs, layerDev, weights, placement };
  const comp = computeBuffers(config, m, ci, site);
  buffers.push(...comp.buffers);
  // every GPU that runs anything (also one holding no layer but the large batches) has a context
  const used = layerDev.filter((d): d is number => d !== null);
  buffers.push(...overheadBuffers(arch, config, ci, tensors, devs, new Set([...used, ...comp.gpus])));
  notes.push({ code: "compute-estimate", level: "warning", message: `compute buffers per device: ${comp.label}` });
  return {
    buffers,
    devices: deviceTotals(buffers, devs, placement, layerDev),
    layer_buffers: layerDev.map((d) => devNameOf(devs, d)).map((n) => (n === HOST ? "CPU" : n)),
    notes,
  };
}

function deviceTotals(
  buffers: readonly PlacedBuffer[],
  devs: readonly PlacedDev[],
  p: Placement,
  layerDev: readonly (number | null)[],
): PlacedDevice[] {
  const sum = (device: string): number =>
    buffers.filter((b) => b.device === device).reduce((s, b) => s + (b.touched_bytes ?? b.bytes), 0);
  const layersOf = (dev: number | null): number[] => layerDev.flatMap((d, il) => (d === dev ? [il] : []));
  const out: PlacedDevice[] = devs.map((d, i) => ({
    name: d.buft,
    pool: "device",
    machine: d.machine,
    bytes: sum(d.buft),
    budget_bytes: d.device.memory_bytes,
    ...(d.device.free_bytes !== undefined ? { free_bytes: d.device.free_bytes } : {}),
    layers: layersOf(i),
  }));
  out.push({
    name: HOST,
    pool: "host",
    machine: "local",
    bytes: sum(HOST),
    ...(p.host_bytes !== null ? { budget_bytes: p.host_bytes } : {}),
    layers: layersOf(null),
  });
  return out;
}
export { fitMachine } from "./fit.ts";
export type { FitOptions, FitResult } from "./fit.ts";
