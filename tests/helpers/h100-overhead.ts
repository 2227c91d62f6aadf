/**
 * The H100 CUDA-overhead runs (tests/fixtures/placement/h100-overhead-runs.json) beside the
 * placement engine: GPU memory in use, llama.cpp's "unaccounted" and the engine's overhead, with
 * the VMM pool evaluated at the cache fill the run reached (its prompt, in micro-batches).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./engine.ts";
import { modelOf } from "../fixtures/placement/models.ts";
import { placeModel } from "../../src/lib/engine/placement/index.ts";
import { RuntimeConfigSchema } from "../../src/schemas/runtime-config.ts";
import { PlacementSchema } from "../../src/schemas/placement.ts";
import { parseCalcArgs } from "../../scripts/calc/options.ts";

export interface OverheadRun {
  id: string;
  model: string;
  env: string | null;
  prompt_tokens: number;
  n_ubatch: number;
  args: string[];
  memory_breakdown_mib: { total: number; free: number; unaccounted: number };
}

export const OVERHEAD_FIX = JSON.parse(
  readFileSync(join(REPO_ROOT, "tests/fixtures/placement/h100-overhead-runs.json"), "utf8"),
) as { probe: Record<string, number>; runs: OverheadRun[] };

const MiB = 1024 * 1024;

/** A prompt of at least one full micro-batch: the state the engine's overhead describes. */
export const steady = (r: OverheadRun): boolean => r.prompt_tokens >= r.n_ubatch;

/** KV cells the attention saw when the micro-batch with the most (cells × tokens) ran (n_kv pads to 256). */
export function peakCells(r: OverheadRun, nCtx: number): number {
  let best = 0;
  let cells = 256;
  for (let done = 0; done < r.prompt_tokens; done += r.n_ubatch) {
    const tok = Math.min(r.n_ubatch, r.prompt_tokens - done);
    const nKv = Math.min(nCtx, Math.ceil((done + tok) / 256) * 256);
    if (nKv * tok > best) [best, cells] = [nKv * tok, nKv];
  }
  return cells;
}

async function placeArgs(r: OverheadRun, args: string[]) {
  const { arch, tensors } = await modelOf(r.model);
  const a = parseCalcArgs([...args, "--devices", `cuda:${r.memory_breakdown_mib.total}MiB`]);
  return placeModel(arch, RuntimeConfigSchema.parse(a.config), PlacementSchema.parse(a.placement), tensors);
}

const overheadOf = (p: Awaited<ReturnType<typeof placeArgs>>): number =>
  p.buffers.filter((b) => b.kind === "overhead" && b.device === "CUDA0").reduce((s, b) => s + b.bytes, 0);

export interface OverheadCompare {
  /** (total − free) of llama.cpp's breakdown, MiB. */
  used: number;
  unaccounted: number;
  /** The engine's CUDA0 total with the overhead at the run's cache fill, MiB. */
  engine: number;
  /** The engine's overhead at that fill, MiB. */
  overhead: number;
  /** The same before this model: the 614.5 MiB constant (+ KQ copy and 67 MiB without FA). */
  before: number;
}

/** Measured beside the engine for one run. */
export async function compareRun(r: OverheadRun): Promise<OverheadCompare> {
  const iC = r.args.indexOf("-c");
  const nCtx = Number(r.args[iC + 1]);
  const full = await placeArgs(r, r.args);
  const atFill = [...r.args];
  atFill[iC + 1] = String(Math.max(r.n_ubatch, peakCells(r, nCtx)));
  const over = overheadOf(await placeArgs(r, atFill));
  const dev = full.devices.find((d) => d.name === "CUDA0")!.bytes;
  const engine = (dev - overheadOf(full) + over) / MiB;
  const faOff = r.args.includes("-fa") && r.args[r.args.indexOf("-fa") + 1] === "off";
  const { arch } = await modelOf(r.model);
  const kq = faOff ? (peakCells(r, nCtx) * r.n_ubatch * (arch.n_head as number) * 2) / MiB + 67 : 0;
  const used = r.memory_breakdown_mib.total - r.memory_breakdown_mib.free;
  return {
    used,
    unaccounted: r.memory_breakdown_mib.unaccounted,
    engine,
    overhead: over / MiB,
    before: engine - over / MiB + 614.5 + kq,
  };
}
