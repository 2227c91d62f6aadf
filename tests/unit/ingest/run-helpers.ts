/** Shared pieces of the ingest tests: the one run a data dir holds, and the H100 run's metadata file. */
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunSchema, type Run } from "../../../src/schemas/run.ts";
import { readJson } from "./helpers.ts";

export const MiB = 1048576;
export const H100_META = {
  title: "H100 test run",
  hardware: { preset: "nvidia-h100-sxm-80gb" },
  model: { preset: "qwen3-14b" },
  runtime: { engine: "llama.cpp", llama_cpp: { build_date: "2026-09-28" } },
};

export function metaFile(dir: string, doc: unknown = H100_META): string {
  const p = join(dir, "meta.json");
  writeFileSync(p, JSON.stringify(doc));
  return p;
}

export function onlyRun(dataDir: string): Run {
  const files = readdirSync(join(dataDir, "runs"));
  assert.equal(files.length, 1);
  return RunSchema.parse(readJson(join(dataDir, "runs", files[0])));
}
