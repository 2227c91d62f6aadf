/**
 * Shared helpers of the engine tests: fixture architectures, the H100 measurement folder and
 * parsers for the llama.cpp log lines the tests compare against.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { ArchitectureSchema } from "../../src/schemas/architecture.ts";
import type { Architecture, ArchitectureInput } from "../../src/schemas/architecture.ts";
import { RuntimeConfigSchema } from "../../src/schemas/runtime-config.ts";
import type { RuntimeConfig, RuntimeConfigInput } from "../../src/schemas/runtime-config.ts";
import { REPO_ROOT } from "../../scripts/lib/repo-root.ts";
export { REPO_ROOT } from "../../scripts/lib/repo-root.ts";

/** The H100 measurement (23 llama.cpp CUDA runs of Qwen3-14B Q4_K_M) as ingested into the repo. */
export const H100_DIR = join(REPO_ROOT, "data/raw/2026-11-26-qwen3-14b-h100-sxm-80gb-llama-cpp-cuda");
export const FIXTURES = join(REPO_ROOT, "tests/fixtures/engine");
import { MiB } from "../../src/lib/units.ts";
export { MiB };

export function fixture(name: string): Architecture {
  return ArchitectureSchema.parse(JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), "utf8")));
}

export function arch(input: ArchitectureInput): Architecture {
  return ArchitectureSchema.parse(input);
}

export function cfg(input: RuntimeConfigInput = {}): RuntimeConfig {
  return RuntimeConfigSchema.parse(input);
}

export const mib2 = (bytes: number): string => (bytes / MiB).toFixed(2);

/** The 23 grid cases (the smoke run repeats one of them and is excluded). */
export function h100Cases(): string[] {
  return readdirSync(H100_DIR)
    .filter((d) => d.startsWith("qwen3-14b-q4km_ctx-"))
    .sort();
}

export interface H100Case {
  dir: string;
  n_ctx: number;
  type_k: string;
  type_v: string;
  fa: "on" | "off";
  log: string;
  /** Exact bytes per buffer type from llama_get_memory_breakdown (memprobe `MB` lines). */
  mb: Record<string, { model: number; context: number; compute: number }>;
  /** nvidia-smi memory.used peak in MiB (baseline is 0 MiB). */
  peakMiB: number;
  result: Record<string, number>;
}

export function readH100Case(dir: string): H100Case {
  const base = join(H100_DIR, dir);
  const cj = JSON.parse(readFileSync(join(base, "case.json"), "utf8"));
  const out = readFileSync(join(base, "memprobe-stdout.txt"), "utf8");
  const mb: H100Case["mb"] = {};
  for (const m of out.matchAll(/^MB buft=(\S+) is_host=\d model=(\d+) context=(\d+) compute=(\d+)$/gm))
    mb[m[1]] = { model: Number(m[2]), context: Number(m[3]), compute: Number(m[4]) };
  const result: Record<string, number> = {};
  const rl = /^RESULT (.*)$/m.exec(out);
  if (rl)
    for (const kv of rl[1].split(" ")) {
      const [k, v] = kv.split("=");
      result[k] = Number(v);
    }
  const smi = readFileSync(join(base, "nvidia-smi.csv"), "utf8").trim().split("\n").slice(1);
  const peakMiB = Math.max(...smi.map((l) => Number(l.split(",")[1].replace("MiB", "").trim())));
  return {
    dir,
    n_ctx: cj.n_ctx,
    type_k: cj.type_k,
    type_v: cj.type_v,
    fa: cj.flash_attn,
    log: readFileSync(join(base, "llama.log"), "utf8"),
    mb,
    peakMiB,
    result,
  };
}

export interface KvSizeLine {
  totalMiB: string;
  cells: number;
  layers: number;
  seqs: number;
  streams: number;
  typeK: string;
  kMiB: string;
  typeV: string;
  vMiB: string;
}

/** Captures 1–4 of a KV or RS size line: total MiB (as printed), cells, layers, seqs. */
function sizeCounts(m: RegExpExecArray): Pick<KvSizeLine, "totalMiB" | "cells" | "layers" | "seqs"> {
  return { totalMiB: m[1], cells: Number(m[2]), layers: Number(m[3]), seqs: Number(m[4]) };
}

/** Parse `llama_kv_cache: size = … MiB ( N cells, L layers, a/b seqs), K (t): … MiB, V (t): … MiB`. */
export function parseKvSizeLine(line: string): KvSizeLine | null {
  const m =
    /size\s*=\s*([\d.]+) MiB \(\s*(\d+) cells,\s*(\d+) layers,\s*(\d+)\/(\d+) seqs\), K \((\w+)\):\s*([\d.]+) MiB, V \((\w+)\):\s*([\d.]+) MiB/.exec(
      line,
    );
  if (!m) return null;
  return { ...sizeCounts(m), streams: Number(m[5]), typeK: m[6], kMiB: m[7], typeV: m[8], vMiB: m[9] };
}

export interface RsSizeLine {
  totalMiB: string;
  cells: number;
  layers: number;
  seqs: number;
  rsSeq: number;
  rMiB: string;
  sMiB: string;
}

/** Parse `llama_memory_recurrent: size = … MiB ( N cells, L layers, S seqs R rs_seq), R (f32): …, S (f32): …`. */
export function parseRsSizeLine(line: string): RsSizeLine | null {
  const m =
    /size\s*=\s*([\d.]+) MiB \(\s*(\d+) cells,\s*(\d+) layers,\s*(\d+) seqs\s+(\d+) rs_seq\), R \(f32\):\s*([\d.]+) MiB, S \(f32\):\s*([\d.]+) MiB/.exec(
      line,
    );
  if (!m) return null;
  return { ...sizeCounts(m), rsSeq: Number(m[5]), rMiB: m[6], sMiB: m[7] };
}
