/**
 * Placement options of `npm run calc` with llama.cpp's spellings (common/arg.cpp, de3ff81):
 * `--devices`, `--rpc`, `-sm`, `-ts`, `-mg`, `-ot`, `--cpu-moe`, `--n-cpu-moe`, `--load-mode`
 * (older builds: `--no-mmap`, `--mlock`), `--host-memory`.
 */
import { PlacementSchema } from "../../src/schemas/placement.ts";
import type { Device, Placement, PlacementInput } from "../../src/schemas/placement.ts";
import { parseBytes, UnitError } from "../../src/lib/units.ts";
import { issueLines } from "../../src/lib/zod-issues.ts";

export class PlacementUsageError extends Error {}

/** llama.cpp's single-dash spellings → this CLI's long options (node:util has no multi-letter short options). */
export const LLAMA_ALIASES: Readonly<Record<string, string>> = {
  "-ngl": "--ngl",
  "-md": "--model-draft",
  "--spec-draft-model": "--model-draft",
  "-ngld": "--ngld",
  "--gpu-layers-draft": "--ngld",
  "--n-gpu-layers-draft": "--ngld",
  "--spec-draft-ngl": "--ngld",
  "-ctkd": "--ctkd",
  "--cache-type-k-draft": "--ctkd",
  "--spec-draft-type-k": "--ctkd",
  "-ctvd": "--ctvd",
  "--cache-type-v-draft": "--ctvd",
  "--spec-draft-type-v": "--ctvd",
  "--draft": "--draft-max",
  "--draft-n": "--draft-max",
  "--gpu-layers": "--ngl",
  "--n-gpu-layers": "--ngl",
  "-sm": "--split-mode",
  "-ts": "--tensor-split",
  "-mg": "--main-gpu",
  "-ot": "--override-tensor",
  "-cmoe": "--cpu-moe",
  "-ncmoe": "--n-cpu-moe",
  "-lm": "--load-mode",
  "-nkvo": "--no-kv-offload",
  "-ub": "--ubatch",
  "-b": "--batch",
  "-c": "--ctx",
  "-ctk": "--ctk",
  "-ctv": "--ctv",
  "-fa": "--fa",
  "-np": "--parallel",
  "-fitt": "--fit-target",
  "-fitc": "--fit-ctx",
};

/** Rewrite llama.cpp spellings (also `-ts=1,1`) to the long options parseArgs knows. */
export function normaliseAliases(argv: readonly string[]): string[] {
  return argv.map((a) => {
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(0, eq) : a;
    const long = LLAMA_ALIASES[name];
    return long ? long + (eq > 0 ? a.slice(eq) : "") : a;
  });
}

const KINDS = ["cuda", "rocm", "vulkan", "metal"] as const;
const MAX_DEVICES = 16;

function bytes(opt: string, v: string): number {
  try {
    return parseBytes(v);
  } catch (e) {
    if (e instanceof UnitError) throw new PlacementUsageError(`${opt} "${v}": ${e.message}`);
    throw e;
  }
}

/** `--devices "cuda:24GiB,cuda:24GiB/20GiB"`: kind:total[/free], in order. */
export function parseDevices(v: string): Device[] {
  const parts = v.split(",").map((s) => s.trim());
  if (parts.length > MAX_DEVICES) throw new PlacementUsageError(`--devices: at most ${MAX_DEVICES} devices`);
  const count = new Map<string, number>();
  return parts.map((p) => {
    const m = /^([a-z]+):([^/]+)(?:\/(.+))?$/.exec(p);
    if (!m || !(KINDS as readonly string[]).includes(m[1]))
      throw new PlacementUsageError(`--devices "${p}": expected kind:size[/free] with kind one of ${KINDS.join(", ")}`);
    const n = count.get(m[1]) ?? 0;
    count.set(m[1], n + 1);
    const d: Device = { kind: m[1] as Device["kind"], name: `${m[1]}${n}`, memory_bytes: bytes("--devices", m[2]) };
    if (m[3] !== undefined) d.free_bytes = bytes("--devices", m[3]);
    return d;
  });
}

/** `--rpc host:port=budget,…` (the budget is the server's memory; llama.cpp asks the server). */
export function parseRpc(v: string): Device[] {
  const parts = v.split(",").map((s) => s.trim());
  if (parts.length > MAX_DEVICES) throw new PlacementUsageError(`--rpc: at most ${MAX_DEVICES} servers`);
  return parts.map((p) => {
    const m = /^([A-Za-z0-9.-]{1,253}:\d{1,5})=(.+)$/.exec(p);
    if (!m) throw new PlacementUsageError(`--rpc "${p}": expected host:port=memory, e.g. 192.168.1.2:50052=24GiB`);
    return { kind: "rpc", name: m[1], endpoint: m[1], memory_bytes: bytes("--rpc", m[2]) };
  });
}

/** `-ts 3,1` (also `3/1`, as llama.cpp accepts). */
export function parseTensorSplit(v: string): number[] {
  const parts = v.split(/[,/]/);
  if (parts.length > MAX_DEVICES) throw new PlacementUsageError(`--tensor-split: at most ${MAX_DEVICES} values`);
  return parts.map((s) => {
    if (!/^\d+(\.\d+)?$/.test(s.trim()))
      throw new PlacementUsageError(`--tensor-split "${v}": expected numbers like 3,1`);
    return Number(s);
  });
}

/** `-ot "regex=CPU,regex2=CUDA1"` (comma-separated, as llama.cpp's parse_tensor_buffer_overrides). */
export function parseOverrides(v: string): { pattern: string; buft: string }[] {
  return v.split(",").map((p) => {
    const eq = p.lastIndexOf("=");
    if (eq <= 0 || eq === p.length - 1)
      throw new PlacementUsageError(`--override-tensor "${p}": expected <tensor name regex>=<buffer type>`);
    return { pattern: p.slice(0, eq), buft: p.slice(eq + 1) };
  });
}

/** Validate the collected placement input (schema limits); one line naming the field. */
export function toPlacement(input: PlacementInput): Placement {
  const r = PlacementSchema.safeParse(input);
  if (!r.success) {
    throw new PlacementUsageError(issueLines(r.error.issues, { input, where: "placement", max: 1 })[0]);
  }
  return r.data;
}
