import type { Placement, TensorOverride } from "../../../schemas/placement.ts";
import type { TensorTable } from "../../../schemas/tensor-table.ts";
import { EngineError } from "../errors.ts";
import { allocBytes, isInputTensor, tensorBytes, tensorLayer } from "../weights.ts";
import type { PlacedDev } from "./devices.ts";

/**
 * Which buffer each weight tensor lands in (llama.cpp de3ff81, `llama_model_loader::create_tensor`
 * in src/llama-model-loader.cpp, and `load_all_data`):
 * - the input layer's tensors use the CPU list, block `N`'s tensors the list of the device of layer
 *   N, other tensors (output norm, output) the list of the output layer's device;
 * - `-ot` patterns are tried in order, the first `std::regex_search` match wins; `CPU` means the
 *   CPU list (its first entry is the first device's pinned host type, e.g. `CUDA_Host`);
 * - with mmap a pinned host type is replaced by the plain CPU type, whose tensors are mapped from
 *   the file: the printed `CPU_Mapped` size is the byte span from the first to the last such tensor
 *   in file order (tensors of other buffers lying between them included), while the pages really
 *   touched are the tensors' own bytes;
 * - `--cpu-moe` is the pattern `\.ffn_(up|down|gate|gate_up)_(ch|)exps`, `--n-cpu-moe N` the same
 *   pattern prefixed with `blk\.i` for i < N (common/common.h); both map to CPU.
 * - tied embeddings: without `output.weight` llama.cpp creates the output tensor from
 *   `token_embd.weight` again, in the output layer's buffer (on a GPU a second copy; in a mapped
 *   host buffer the same file bytes).
 */

/** GGUF data alignment (general.alignment default; llama.cpp's converters write 32). */
const GGUF_ALIGNMENT = 32;
const EXPS = String.raw`\.ffn_(up|down|gate|gate_up)_(ch|)exps`;

/** `-ot` list in llama.cpp's order: explicit overrides, then --cpu-moe, then --n-cpu-moe. */
export function overrideList(p: Placement): TensorOverride[] {
  const list = [...p.overrides];
  if (p.cpu_moe) list.push({ pattern: EXPS, buft: "CPU" });
  for (let i = 0; i < p.n_cpu_moe; i++) list.push({ pattern: String.raw`blk\.${i}${EXPS}`, buft: "CPU" });
  return list;
}

export interface WeightBuffer {
  readonly name: string;
  /** Device index, or null for host memory. */
  readonly dev: number | null;
  readonly bytes: number;
  /** Bytes of the tensors themselves (differs from bytes for a mapped span). */
  readonly touched: number;
}

export interface TensorPlacement {
  readonly buffers: WeightBuffer[];
  /** Tensor name → buffer name (for tests and the CLI's details). */
  readonly where: Map<string, string>;
  /** Override patterns that matched no tensor (explicit `-ot` ones are an error). */
  readonly unused: TensorOverride[];
}

/**
 * A quantified group that itself holds a quantifier (`(a+)+`, `(.*)*`) can take exponential time on
 * a non-matching name; patterns come from strangers (the calculator, the CLI), so they are refused.
 */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;

function compile(list: readonly TensorOverride[]): RegExp[] {
  return list.map((o) => {
    if (NESTED_QUANTIFIER.test(o.pattern))
      throw new EngineError(
        "unsupported-config",
        `-ot "${o.pattern}": a repeated group with a repetition inside (e.g. (a+)+) is refused (exponential matching)`,
        "overrides",
      );
    try {
      return new RegExp(o.pattern);
    } catch (e) {
      throw new EngineError(
        "unsupported-config",
        `-ot "${o.pattern}": not a regular expression (${(e as Error).message})`,
        "overrides",
      );
    }
  });
}

function deviceKind(d: PlacedDev): "cuda" | "metal" | "host" {
  const k = d.device.kind;
  return k === "cuda" || k === "rocm" ? "cuda" : k === "metal" ? "metal" : "host";
}

/**
 * Assign every tensor of the table (in file order) to a buffer and size the buffers.
 * `layerDev[il]` is the device index of layer il (null = CPU); the last entry is the output layer.
 */
export function placeTensors(
  tensors: TensorTable,
  devs: readonly PlacedDev[],
  layerDev: readonly (number | null)[],
  p: Placement,
): TensorPlacement {
  const mmap = p.load_mode === "mmap" || p.load_mode === "mmap+mlock";
  const hostBuft = mmap ? "CPU_Mapped" : (devs.find((d) => d.host_buft)?.host_buft ?? "CPU");
  const list = overrideList(p);
  const res = compile(list);
  // --n-cpu-moe's pattern for block i can only match a name holding "blk.i.ffn_": a substring test
  // first skips the regex for other blocks (same result, ~N times fewer regex runs)
  const first = list.length - p.n_cpu_moe;
  const need = list.map((_, k) => (k >= first ? `blk.${k - first}.ffn_` : null));
  const used = list.map(() => false);
  const devBytes = new Map<number, number>();
  const where = new Map<string, string>();
  let hostSum = 0;
  let spanStart = -1;
  let spanEnd = -1;
  let offset = 0;
  let hasOutput = false;
  let embd: TensorTable[number] | null = null;
  const outputDev = layerDev[layerDev.length - 1] ?? null;
  for (const t of tensors) {
    const nb = tensorBytes(t);
    const start = offset;
    offset += Math.ceil(nb / GGUF_ALIGNMENT) * GGUF_ALIGNMENT;
    if (t.name === "output.weight") hasOutput = true;
    if (t.name === "token_embd.weight") embd = t;
    const il = tensorLayer(t.name);
    let dev: number | null = isInputTensor(t.name) ? null : il === null ? outputDev : (layerDev[il] ?? null);
    const k = res.findIndex((re, j) => (need[j] === null || t.name.includes(need[j]!)) && re.test(t.name));
    if (k >= 0) {
      used[k] = true;
      dev = overrideTarget(list[k], devs);
    }
    if (dev === null) {
      hostSum += mmap ? nb : allocBytes(t, "host");
      if (spanStart < 0) spanStart = start;
      spanEnd = start + nb;
      where.set(t.name, hostBuft);
    } else {
      devBytes.set(dev, (devBytes.get(dev) ?? 0) + allocBytes(t, deviceKind(devs[dev])));
      where.set(t.name, devs[dev].buft);
    }
  }
  if (!hasOutput && embd) {
    if (outputDev !== null)
      devBytes.set(outputDev, (devBytes.get(outputDev) ?? 0) + allocBytes(embd, deviceKind(devs[outputDev])));
    else if (!mmap) hostSum += allocBytes(embd, "host");
  }
  const buffers: WeightBuffer[] = [];
  for (const [dev, bytes] of [...devBytes].sort((a, b) => a[0] - b[0]))
    buffers.push({ name: devs[dev].buft, dev, bytes, touched: bytes });
  if (spanStart >= 0 || hostSum > 0)
    buffers.push({ name: hostBuft, dev: null, bytes: mmap ? spanEnd - spanStart : hostSum, touched: hostSum });
  const unused = list.filter((_, i) => !used[i]);
  const explicitUnused = unused.find((o) => p.overrides.includes(o));
  if (explicitUnused)
    throw new EngineError(
      "unsupported-config",
      `-ot "${explicitUnused.pattern}=${explicitUnused.buft}" matches no tensor of this model`,
      "overrides",
    );
  return { buffers, where, unused };
}

/** Device index for an override's buffer type (`CPU` → host = null). */
function overrideTarget(o: TensorOverride, devs: readonly PlacedDev[]): number | null {
  if (o.buft === "CPU") return null;
  const i = devs.findIndex((d) => d.buft === o.buft);
  if (i < 0)
    throw new EngineError(
      "unsupported-config",
      `-ot "${o.pattern}=${o.buft}": unknown buffer type (known: CPU${devs.map((d) => `, ${d.buft}`).join("")})`,
      "overrides",
    );
  return i;
}
