/**
 * The calculator's machine: "" = one device as before (a Mac's working-set limit or one GPU's
 * budget), or a PC described by one permalink parameter (`pc=`), parsed and checked here.
 * Zod-free and small: the builder UI ships it up front.
 *
 * Syntax (fields joined by `;`, each `key:value`):
 *   g:rtx-4090,24576   GPUs, 1–8: a hardware id from the catalog or a size in MiB, each optionally
 *                      prefixed by its backend (cuda:, rocm:, vulkan:, metal:; default CUDA, ROCm for AMD)
 *   ram:65536          system RAM in MiB (absent = not limited)
 *   rpc:10.0.0.2:50052@16384,…  RPC servers (host:port @ memory in MiB), 0–8
 *   sm:layer|none  ts:3,1  mg:0  moe:none|all|N  mmap:1|0  nkvo:1 (--no-kv-offload)
 *   ot:<pattern=BUFFER>,…  tensor overrides (-ot), each URI-encoded, in llama.cpp's order (≤ 16)
 * Bounds follow src/schemas/placement.ts (sizes ≤ 1 PiB, -ts ≤ 16 values each ≤ 10^6, --n-cpu-moe ≤
 * the layer limit of src/schemas/limits.ts); anything else is refused with the reason.
 */
import type { Placement } from "../../schemas/placement.ts";

/** Parts of a device's bar (placement-view.ts), here so the UI needs no engine to draw them. */
export const BAR_KINDS = ["weights", "kv", "compute", "overhead", "output"] as const;
export type BarKind = (typeof BAR_KINDS)[number];

export const MAX_GPUS = 8;
export const MAX_RPC = 8;
/** 1 PiB in MiB: the placement schema's largest size. */
const MAX_MIB = 2 ** 30;
const MAX_TEXT = 2000;
const MAX_LAYERS = 4096;
const MiB = 1024 * 1024;

export interface MachineGpu {
  /** Catalog hardware id, or null for a custom size. */
  id: string | null;
  name: string;
  mib: number;
  /** Backend: custom sizes default to CUDA, catalog AMD cards to ROCm; Vulkan and Metal by choice. */
  kind: GpuKind;
}
export const GPU_KINDS = ["cuda", "rocm", "vulkan", "metal"] as const;
export type GpuKind = (typeof GPU_KINDS)[number];
/** One `-ot <pattern>=<buffer type>`. */
export interface MachineOverride {
  pattern: string;
  buft: string;
}
export const MAX_OVERRIDES = 16;
export interface MachineRpc {
  endpoint: string;
  mib: number;
}
export interface MachineSpec {
  gpus: MachineGpu[];
  ramMiB: number | null;
  rpc: MachineRpc[];
  splitMode: "layer" | "none";
  /** `-ts` in llama.cpp's device order (RPC servers first); empty = proportional to memory. */
  tensorSplit: number[];
  mainGpu: number;
  /** Experts on the CPU: none, all (`--cpu-moe`) or those of the first N blocks (`--n-cpu-moe N`). */
  moe: "none" | "all" | number;
  mmap: boolean;
  /** `-ot`, in command-line order (before the --cpu-moe / --n-cpu-moe patterns, as llama.cpp adds them). */
  overrides: MachineOverride[];
  /** `--no-kv-offload`: the KV cache (and recurrent state) in system RAM. */
  noKvOffload: boolean;
}

/** A GPU of the hardware catalog: what a `g:` id resolves to. */
export interface GpuOption {
  id: string;
  name: string;
  vendor: string;
  memoryBytes: number;
}

export type MachineParse = { ok: true; spec: MachineSpec } | { ok: false; error: string };

export const DEFAULT_MACHINE: MachineSpec = {
  gpus: [{ id: null, name: "GPU (24 GiB)", mib: 24576, kind: "cuda" }],
  ramMiB: 65536,
  rpc: [],
  splitMode: "layer",
  tensorSplit: [],
  mainGpu: 0,
  moe: "none",
  mmap: true,
  overrides: [],
  noKvOffload: false,
};

const ENDPOINT = /^[A-Za-z0-9.-]{1,253}:\d{1,5}$/;
const mibOk = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= MAX_MIB;
const intText = (s: string): number | null => (/^\d{1,10}$/.test(s) ? Number(s) : null);

/** `"any"`: accept every id-shaped GPU token unresolved (size 0), for what needs only the device count. */
export type GpuCatalog = ReadonlyMap<string, GpuOption> | "any";

/** `[kind:]id-or-MiB`: the backend prefix overrides the card's default. */
function parseGpu(text: string, gpus: GpuCatalog): MachineGpu | string {
  const i = text.indexOf(":");
  const kind = i < 0 ? null : text.slice(0, i);
  if (kind !== null && !(GPU_KINDS as readonly string[]).includes(kind))
    return `GPU backend "${kind.slice(0, 20)}" is not one of ${GPU_KINDS.join(", ")}`;
  const g = parseGpuToken(i < 0 ? text : text.slice(i + 1), gpus);
  if (typeof g === "string" || kind === null) return g;
  // a catalog card's vendor fixes CUDA vs ROCm (the same spelling then round-trips)
  if (g.id !== null && gpus !== "any" && (kind === "cuda" || kind === "rocm") && kind !== g.kind)
    return `GPU ${g.id}: ${g.kind === "rocm" ? "an AMD card runs ROCm or Vulkan" : "this card runs CUDA or Vulkan"}, not ${kind}`;
  return { ...g, kind: kind as GpuKind };
}

function parseGpuToken(tok: string, gpus: GpuCatalog): MachineGpu | string {
  const n = intText(tok);
  if (n !== null)
    return mibOk(n)
      ? { id: null, name: `GPU (${fmtMiB(n)})`, mib: n, kind: "cuda" }
      : `GPU size ${tok} MiB out of range`;
  if (gpus === "any" && /^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$/.test(tok))
    return { id: tok, name: tok, mib: 0, kind: "cuda" };
  const h = gpus === "any" ? undefined : gpus.get(tok);
  if (!h) return `GPU "${tok.slice(0, 40)}" is not in the hardware catalog (or give a size in MiB)`;
  return { id: h.id, name: h.name, mib: Math.floor(h.memoryBytes / MiB), kind: h.vendor === "amd" ? "rocm" : "cuda" };
}

function parseRpc(tok: string): MachineRpc | string {
  const at = tok.lastIndexOf("@");
  const ep = at < 0 ? "" : tok.slice(0, at);
  const n = intText(tok.slice(at + 1));
  if (!ENDPOINT.test(ep) || Number(ep.slice(ep.lastIndexOf(":") + 1)) > 65535)
    return `RPC server "${tok.slice(0, 40)}": expected host:port@MiB`;
  if (n === null || !mibOk(n)) return `RPC server ${ep}: memory must be 1 … ${MAX_MIB} MiB`;
  return { endpoint: ep, mib: n };
}

const BUFT = /^[A-Za-z][A-Za-z0-9_]{0,40}(\[[A-Za-z0-9.:-]{1,260}\])?$/;

/** One `pattern=BUFFER` (split at the first `=`, as llama.cpp does); the engine refuses nested repetition. */
export function parseOverride(text: string): MachineOverride | string {
  const eq = text.indexOf("=");
  const pattern = eq < 0 ? "" : text.slice(0, eq);
  const buft = text.slice(eq + 1);
  if (eq < 1 || pattern.length > 256)
    return `tensor override "${text.slice(0, 40)}": expected pattern=BUFFER (pattern ≤ 256 characters)`;
  if (!BUFT.test(buft))
    return `tensor override "${text.slice(0, 40)}": "${buft.slice(0, 40)}" is not a buffer type (CPU, CUDA0, RPC0[host:port]…)`;
  try {
    new RegExp(pattern);
  } catch {
    return `tensor override "${text.slice(0, 40)}": not a regular expression`;
  }
  return { pattern, buft };
}

function parseOverrides(list: string[]): MachineOverride[] | string {
  if (list.length > MAX_OVERRIDES) return `at most ${MAX_OVERRIDES} tensor overrides`;
  const out: MachineOverride[] = [];
  for (const t of list) {
    let text: string;
    try {
      text = decodeURIComponent(t);
    } catch {
      return "tensor override: bad %-encoding";
    }
    const o = parseOverride(text);
    if (typeof o === "string") return o;
    out.push(o);
  }
  return out;
}

/** Parse one field into `spec`; returns an error sentence or null. */
function field(spec: MachineSpec, key: string, v: string, gpus: GpuCatalog): string | null {
  const list = v === "" ? [] : v.split(",");
  switch (key) {
    case "g": {
      if (list.length < 1 || list.length > MAX_GPUS) return `a PC has 1 … ${MAX_GPUS} GPUs`;
      const out = list.map((t) => parseGpu(t, gpus));
      const bad = out.find((x): x is string => typeof x === "string");
      if (bad) return bad;
      spec.gpus = out as MachineGpu[];
      return null;
    }
    case "ram": {
      const n = intText(v);
      if (n === null || !mibOk(n)) return `system RAM must be 1 … ${MAX_MIB} MiB`;
      spec.ramMiB = n;
      return null;
    }
    case "rpc": {
      if (list.length > MAX_RPC) return `at most ${MAX_RPC} RPC servers`;
      const out = list.map(parseRpc);
      const bad = out.find((x): x is string => typeof x === "string");
      if (bad) return bad;
      spec.rpc = out as MachineRpc[];
      return null;
    }
    case "sm":
      if (v !== "layer" && v !== "none") return "split mode must be layer or none";
      spec.splitMode = v;
      return null;
    case "ts": {
      const ts = list.map((t) => (/^\d{1,7}(\.\d{1,6})?$/.test(t) ? Number(t) : NaN));
      if (ts.length > 16 || ts.some((x) => !(x >= 0 && x <= 1e6))) return "tensor split: up to 16 numbers 0 … 1000000";
      spec.tensorSplit = ts;
      return null;
    }
    case "mg": {
      const n = intText(v);
      if (n === null || n > 15) return "main GPU must be 0 … 15";
      spec.mainGpu = n;
      return null;
    }
    case "moe": {
      const n = intText(v);
      if (v === "none" || v === "all") spec.moe = v;
      else if (n !== null && n >= 1 && n <= MAX_LAYERS) spec.moe = n;
      else return `experts on the CPU must be none, all or 1 … ${MAX_LAYERS}`;
      return null;
    }
    case "mmap":
      if (v !== "1" && v !== "0") return "mmap must be 1 or 0";
      spec.mmap = v === "1";
      return null;
    case "nkvo":
      if (v !== "1" && v !== "0") return "nkvo must be 1 or 0";
      spec.noKvOffload = v === "1";
      return null;
    case "ot": {
      const o = parseOverrides(list);
      if (typeof o === "string") return o;
      spec.overrides = o;
      return null;
    }
    default:
      return `unknown field "${key.slice(0, 20)}"`;
  }
}

/** `pc=` text → machine, or the reason it is refused. Never throws. */
export function parseMachine(text: string, gpus: GpuCatalog): MachineParse {
  if (text.length > MAX_TEXT) return { ok: false, error: `longer than ${MAX_TEXT} characters` };
  const spec: MachineSpec = { ...DEFAULT_MACHINE, ramMiB: null, gpus: [] };
  const seen = new Set<string>();
  for (const part of text.split(";")) {
    const i = part.indexOf(":");
    const key = i < 0 ? part : part.slice(0, i);
    if (seen.has(key)) return { ok: false, error: `field "${key.slice(0, 20)}" given twice` };
    seen.add(key);
    const err = i < 0 ? `field "${part.slice(0, 20)}" has no value` : field(spec, key, part.slice(i + 1), gpus);
    if (err) return { ok: false, error: err };
  }
  if (spec.gpus.length === 0) return { ok: false, error: "a PC needs at least one GPU (g:…)" };
  const n = spec.gpus.length + spec.rpc.length;
  if (spec.tensorSplit.length > n)
    return { ok: false, error: `tensor split has ${spec.tensorSplit.length} values for ${n} devices` };
  if (spec.mainGpu >= n) return { ok: false, error: `main GPU ${spec.mainGpu} is out of range (${n} devices)` };
  return { ok: true, spec };
}

/** Machine → `pc=` text (fields at their default are left out, except the GPUs). */
export function encodeMachine(m: MachineSpec): string {
  const out = [`g:${m.gpus.map(gpuToken).join(",")}`];
  if (m.ramMiB !== null) out.push(`ram:${m.ramMiB}`);
  if (m.rpc.length) out.push(`rpc:${m.rpc.map((r) => `${r.endpoint}@${r.mib}`).join(",")}`);
  if (m.splitMode !== "layer") out.push(`sm:${m.splitMode}`);
  if (m.tensorSplit.length) out.push(`ts:${m.tensorSplit.join(",")}`);
  if (m.mainGpu !== 0) out.push(`mg:${m.mainGpu}`);
  if (m.moe !== "none") out.push(`moe:${m.moe}`);
  if (!m.mmap) out.push("mmap:0");
  if (m.noKvOffload) out.push("nkvo:1");
  if (m.overrides.length)
    out.push(`ot:${m.overrides.map((o) => encodeURIComponent(`${o.pattern}=${o.buft}`)).join(",")}`);
  return out.join(";");
}

/** A GPU's `g:` token: the backend prefix only where it is not the card's default. */
function gpuToken(g: MachineGpu): string {
  const tok = g.id ?? String(g.mib);
  const byDefault = g.id === null ? g.kind === "cuda" : g.kind === "cuda" || g.kind === "rocm";
  return byDefault ? tok : `${g.kind}:${tok}`;
}

/** Catalog GPUs (discrete memory) by id, for parseMachine. */
export function gpuCatalog(
  hardware: readonly { id: string; name: string; vendor: string; unified: boolean; memoryBytes: number }[],
): Map<string, GpuOption> {
  return new Map(hardware.filter((h) => !h.unified).map((h) => [h.id, h]));
}

/** The engine's placement input for a machine (llama.cpp puts RPC devices first itself). */
export function machinePlacement(m: MachineSpec): Placement {
  return {
    devices: [
      ...m.gpus.map((g) => ({ kind: g.kind, name: g.name, memory_bytes: g.mib * MiB })),
      ...m.rpc.map((r) => ({
        kind: "rpc" as const,
        name: r.endpoint,
        memory_bytes: r.mib * MiB,
        endpoint: r.endpoint,
      })),
    ],
    host_bytes: m.ramMiB === null ? null : m.ramMiB * MiB,
    split_mode: m.splitMode,
    tensor_split: m.tensorSplit,
    main_gpu: m.mainGpu,
    overrides: m.overrides.map((o) => ({ ...o })),
    cpu_moe: m.moe === "all",
    n_cpu_moe: typeof m.moe === "number" ? m.moe : 0,
    load_mode: m.mmap ? "mmap" : "none",
  };
}

export function fmtMiB(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024} GiB` : `${(mib / 1024).toFixed(2)} GiB`;
}
