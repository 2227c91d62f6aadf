/**
 * The placement engine against real llama.cpp (de3ff81) spreading zero-weight models over RPC
 * devices (tests/fixtures/placement/rpc-runs.json, recorded by generate.ts there). Weights and KV
 * of every RPC device are compared byte for byte with the server's own allocation; host buffers
 * (printed in MiB with 2 decimals only) to the printed precision; compute buffers (an estimate)
 * within ±10 %.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { modelOf as model } from "../../fixtures/placement/models.ts";
import { placeModel } from "../../../src/lib/engine/placement/index.ts";
import type { PlacementResult } from "../../../src/lib/engine/placement/index.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";
import { PlacementSchema } from "../../../src/schemas/placement.ts";
import type { TensorTable } from "../../../src/schemas/tensor-table.ts";
import type { Architecture } from "../../../src/schemas/architecture.ts";
import { parseCalcArgs } from "../../../scripts/calc/options.ts";

interface FixtureBuffer {
  phase: string;
  name: string;
  what: "model" | "KV" | "RS" | "compute" | "output";
  mib: number;
  bytes: number | null;
}
interface Run {
  id: string;
  model: string;
  servers: { endpoint: string; advertised_bytes: number }[];
  command: string;
  pipeline_parallel: boolean;
  buffers: FixtureBuffer[];
}

const FIX = JSON.parse(readFileSync(join(REPO_ROOT, "tests/fixtures/placement/rpc-runs.json"), "utf8")) as {
  runs: Run[];
};
const MiB = 1024 * 1024;
const KIND: Record<FixtureBuffer["what"], string> = {
  model: "weights",
  KV: "kv",
  RS: "recurrent",
  compute: "compute",
  output: "output",
};
/** Options of the recorded command that do not change memory (or are given from `servers`). */
const SKIP_VALUE = new Set(["-m", "-n", "-p", "--fit", "-t", "-lv", "--rpc"]);
const SKIP_FLAG = new Set(["-no-cnv"]);

/** The recorded llama-completion command, read by the calc CLI's own option parser. */
function place(run: Run, arch: Architecture, tensors: TensorTable): PlacementResult {
  const argv = run.command.split(" ").slice(1);
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (SKIP_FLAG.has(argv[i])) continue;
    if (SKIP_VALUE.has(argv[i])) {
      i++;
      continue;
    }
    kept.push(argv[i]);
  }
  const rpc = run.servers.map((s) => `${s.endpoint}=${s.advertised_bytes}B`).join(",");
  const args = parseCalcArgs([...kept, "--rpc", rpc]);
  const config = RuntimeConfigSchema.parse(args.config);
  return placeModel(arch, config, PlacementSchema.parse(args.placement), tensors);
}

for (const run of FIX.runs) {
  test(`${run.id}: weights and KV per device as llama.cpp allocates them`, async () => {
    const { arch, tensors } = await model(run.model);
    const r = place(run, arch, tensors);
    for (const kind of ["model", "KV", "RS", "output"] as const) {
      // one line per buffer (an iSWA model prints one KV line per cache and device): compare lists
      const want = run.buffers.filter((b) => b.what === kind);
      const got = r.buffers.filter((b) => b.kind === KIND[kind] && b.bytes > 0);
      const show = (name: string, bytes: number, exact: boolean): string =>
        `${name} ${exact ? bytes : (bytes / MiB).toFixed(2) + " MiB"}`;
      const wantList = want.map((w) => show(w.name, w.bytes ?? w.mib * MiB, w.bytes !== null)).sort();
      const gotList = got
        .map((g) =>
          show(
            g.name,
            g.bytes,
            want.some((w) => w.name === g.name && w.bytes !== null),
          ),
        )
        .sort();
      assert.deepEqual(gotList, wantList, `${run.id}: ${kind} buffers`);
    }
  });

  test(`${run.id}: compute buffer per device within ±10 %`, async () => {
    const { arch, tensors } = await model(run.model);
    const r = place(run, arch, tensors);
    for (const w of run.buffers.filter((b) => b.what === "compute")) {
      const g = r.buffers.find((b) => b.kind === "compute" && b.name === w.name);
      assert.ok(g, `${run.id}: compute ${w.name} missing`);
      const want = w.bytes ?? w.mib * MiB;
      const err = (g.bytes - want) / want;
      assert.ok(
        Math.abs(err) <= 0.1,
        `${run.id}: compute ${w.name} ${(g.bytes / MiB).toFixed(2)} vs ${w.mib} MiB (${(err * 100).toFixed(1)} %)`,
      );
    }
  });
}
