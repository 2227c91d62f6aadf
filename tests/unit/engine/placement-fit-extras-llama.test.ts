/**
 * What llama.cpp's own --fit does with a projector and a draft model, recorded from llama-server
 * at de3ff81 on RPC servers on loopback (tests/fixtures/placement/fit-extras-runs.json, written by
 * fit-extras-generate.ts; the Qwen3-0.6B geometry, a Gemma 3 SigLIP projector), against what the
 * engine's notes say (engine/placement/fit-notes.ts, docs/memory-model.md#fit-extras) and what the
 * engine's solver does instead.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { layoutGguf } from "../../helpers/gguf-writer.ts";
import { GEMMA3_SIGLIP, gemma3Mmproj } from "../../helpers/mmproj-models.ts";
import { machinePlacement } from "../../fixtures/placement/fit-compare.ts";
import { modelOf } from "../../fixtures/placement/models.ts";
import { readGgufHeaderFromBlob } from "../../../src/lib/gguf/index.ts";
import { visionBreakdown, visionProjector } from "../../../src/lib/engine/vision.ts";
import { fitMachine } from "../../../src/lib/engine/placement/index.ts";
import { llamaFitNotes } from "../../../src/lib/engine/placement/fit-notes.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";

interface Run {
  id: string;
  devices_gib: number[];
  endpoints: string[];
  command: string;
  log: string[];
}
const doc = JSON.parse(readFileSync(join(REPO_ROOT, "tests/fixtures/placement/fit-extras-runs.json"), "utf8")) as {
  llama_cpp: { commit: string };
  runs: Run[];
};
const run = (id: string): Run => doc.runs.find((r) => r.id === id)!;
const MiB = 2 ** 20;

/** "context size reduced from A to N": the context llama.cpp picked (one device). */
const reducedTo = (r: Run): number => Number(/context size reduced from \d+ to (\d+)/.exec(r.log.join("\n"))![1]);
/** Per device, the free-memory target llama.cpp compares with ("vs. target of T", MiB). */
const targets = (r: Run): number[] =>
  r.log.flatMap((l) => /- RPC\d+ \(.*?vs\. target of\s+(\d+)/.exec(l)?.slice(1).map(Number) ?? []);
/** llama-server's "[mtmd] estimated worst-case memory usage of mmproj is X MiB". */
const mmprojMiB = (r: Run): number => Number(/usage of mmproj is ([\d.]+) MiB/.exec(r.log.join("\n"))![1]);

async function projector() {
  const layout = layoutGguf(gemma3Mmproj({ ...GEMMA3_SIGLIP, textEmbd: 1024 }));
  const h = await readGgufHeaderFromBlob(new Blob([new Uint8Array(layout.header)]), "mmproj");
  const v = visionBreakdown(visionProjector(h), { images: 1, offload: true });
  return { weights_bytes: v.weightsBytes, compute_bytes: v.computeBytes ?? 0, offload: true };
}

test("recorded from llama-server at de3ff81", () => {
  assert.match(doc.llama_cpp.commit, /^de3ff81/);
  assert.ok(doc.runs.every((r) => r.log.some((l) => /successfully fit params/.test(l))));
});

test("one RPC device: llama-server's fit ignores the projector (the room goes to no device of the model)", async () => {
  assert.equal(reducedTo(run("mmproj-3")), reducedTo(run("alone-3")));
  const p = await projector();
  assert.match(
    llamaFitNotes(machinePlacement({ ...run("mmproj-3"), model: "" } as never), { projector: p })[0],
    /on no device of the model/,
  );
});

test("two RPC devices: the projector's room is added to RPC1's target while the projector sits on RPC0", async () => {
  const [t0, t1] = targets(run("mmproj-2+2"));
  const total = mmprojMiB(run("mmproj-2+2"));
  // the device share (registry index 1 = RPC0) lands on model device 1; the CPU share (index 0) on RPC0
  assert.ok(t1 - 1024 > 0.95 * total, `${t1}`);
  assert.ok(Math.abs(t0 - 1024 + (t1 - 1024) - total) <= 1, `${t0} + ${t1} vs ${total}`);
  assert.deepEqual(targets(run("alone-2+2")), [1024, 1024]);
  const p = await projector();
  const ours = (p.weights_bytes + p.compute_bytes) / MiB;
  assert.ok(Math.abs(ours - (t1 - 1024)) / (t1 - 1024) < 0.05, `engine ${ours.toFixed(1)} MiB vs ${t1 - 1024}`);
  const base = machinePlacement({ ...run("mmproj-2+2"), model: "" } as never);
  const [e0, e1] = run("mmproj-2+2").endpoints;
  const note = llamaFitNotes(base, { projector: p })[0];
  assert.ok(note.includes(`kept on RPC0[${e1}] instead, so its own choice can overfill RPC0[${e0}]`), note);
  // llama.cpp's choice: RPC0 "16 layers, 1012 MiB used"; with the projector there it keeps far less than 1 GiB
  const used0 = Number(/- RPC0 .*?(\d+) MiB used/.exec(run("mmproj-2+2").log.join("\n"))![1]);
  assert.ok(2048 - used0 - (t1 - 1024) < 1024);
  // the engine's solver keeps 1 GiB free on RPC0 with the projector on it
  const { arch, tensors } = await modelOf("qwen3-0.6b-geometry");
  const config = RuntimeConfigSchema.parse({ n_seq: 4, kv_unified: true });
  const r = fitMachine(arch, config, base, tensors, { extras: { projector: p }, max_ctx: 163840 })!;
  const rpc0 = r.placement.devices.find((d) => d.name.startsWith("RPC0"))!;
  assert.ok(rpc0.bytes <= 1024 * MiB, `${rpc0.bytes / MiB}`);
});

test("the draft is fitted with the model (llama-server), unlike llama-fit-params which has no -md", () => {
  assert.notEqual(run("draft-3").log.join("\n"), run("alone-3").log.join("\n"));
  assert.ok(reducedTo(run("draft-3")) < reducedTo(run("alone-3")));
  assert.match(run("draft-3").command, /-md qwen3-0\.6b-geometry\.gguf/);
});
