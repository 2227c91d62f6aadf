/**
 * `npm run calc -- --fit` with --mmproj and -md: the solver's split leaves room for the projector
 * and the draft on the devices (engine/placement/fit.ts with extras), the JSON says where
 * llama.cpp's own --fit treats them differently, and --devices without --fit counts them in the
 * placed largest context (docs/memory-model.md#fit-extras).
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { writeGguf } from "../../helpers/gguf-writer.ts";
import { GEMMA3_SIGLIP, gemma3Mmproj } from "../../helpers/mmproj-models.ts";
import { buildTensorTable, normaliseFtype } from "../../../src/lib/engine/index.ts";
import { fitMachine } from "../../../src/lib/engine/placement/index.ts";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";
import { PlacementSchema } from "../../../src/schemas/placement.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";

const dir = mkdtempSync(join(tmpdir(), "calc-fit-extras-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function calc(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, "scripts/calc.ts"), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const GiB = 2 ** 30;
const arch = ArchitectureSchema.parse(
  JSON.parse(readFileSync(join(REPO_ROOT, "data/models/gemma-3-27b.json"), "utf8")).architecture,
);
const common = ["--model", "gemma-3-27b", "--weights", "Q4_K_M", "--devices", "cuda:24GiB"];

test("--fit --mmproj: the context the solver picks leaves room for the projector on CUDA0", async () => {
  const path = join(dir, "gemma3-27b-mmproj.gguf");
  await writeGguf(path, gemma3Mmproj({ ...GEMMA3_SIGLIP, textEmbd: arch.n_embd! }));
  const alone = JSON.parse(calc(...common, "--fit", "--json"));
  const withP = JSON.parse(calc(...common, "--fit", "--mmproj", path, "--json"));
  const projector = {
    weights_bytes: withP.vision.weightsBytes,
    compute_bytes: withP.vision.computeBytes,
    offload: true,
  };
  // the same solver run here with the projector the CLI read: the same answer
  // the CLI models llama-server: one output per sequence (docs/memory-model.md#server-outputs)
  const config = RuntimeConfigSchema.parse({ backend: "cuda", weights_ftype: "Q4_K_M", n_outputs_max: 1 });
  const base = PlacementSchema.parse({ devices: [{ kind: "cuda", name: "cuda0", memory_bytes: 24 * GiB }] });
  const tensors = buildTensorTable(arch, normaliseFtype("Q4_K_M"));
  const expected = fitMachine(arch, config, base, tensors, { extras: { projector } })!;
  assert.equal(withP.fit.n_ctx, expected.n_ctx);
  assert.ok(withP.fit.n_ctx < alone.fit.n_ctx, `${withP.fit.n_ctx} < ${alone.fit.n_ctx}`);
  const cuda0 = withP.devices.find((d: { name: string }) => d.name === "CUDA0");
  assert.ok(cuda0.bytes <= 23 * GiB, "CUDA0 keeps the 1 GiB --fit-target with the projector on it");
  assert.ok(withP.buffers.some((b: { name: string }) => b.name === "CUDA0 mmproj"));
  assert.match(withP.fit.llama_fit_notes[0], /llama-server's --fit counts the projector/);
  assert.equal(alone.fit.llama_fit_notes, undefined);
  // without --fit, the placement as given counts it in the largest context too
  const asGiven = (...a: string[]) => JSON.parse(calc(...common, "--json", ...a)).placed_largest_context.max_context;
  assert.ok(asGiven("--mmproj", path) < asGiven());
});

test("--fit -md: the draft model is placed with the split the solver picks", () => {
  const withD = JSON.parse(calc(...common, "--fit", "-md", "gemma-3-4b", "--json"));
  const alone = JSON.parse(calc(...common, "--fit", "--json"));
  assert.ok(withD.fit.n_ctx < alone.fit.n_ctx, `${withD.fit.n_ctx} < ${alone.fit.n_ctx}`);
  assert.ok(
    withD.buffers.some((b: { name: string; device: string }) => b.name.startsWith("draft ") && b.device === "CUDA0"),
  );
  const cuda0 = withD.devices.find((d: { name: string }) => d.name === "CUDA0");
  assert.ok(cuda0.bytes <= 23 * GiB);
  const text = calc(...common, "--fit", "-md", "gemma-3-4b");
  assert.match(text, /the split leaves room for the draft model on the devices/);
  assert.match(text, /note: llama-server's and llama-cli's --fit count the draft model too/);
});
