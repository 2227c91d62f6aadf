/**
 * Projector facts per preset (data/projectors.json): valid, naming catalog presets, and the F16
 * mmproj the engine builds from them (src/lib/engine/vision-tensors.ts) weighs exactly what
 * llama.cpp's multimodal library reported for the same geometry (tests/fixtures/mmproj), with the
 * image tokens the publisher states.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { gemma3Mmproj, qwen3vlMmproj } from "../../helpers/mmproj-models.ts";
import { ProjectorsFileSchema } from "../../../src/schemas/projector.ts";
import { projectorHeader } from "../../../src/lib/engine/vision-tensors.ts";
import { visionProjector } from "../../../src/lib/engine/vision.ts";
import { presetProjector } from "../../../src/lib/calculator/vision-load.ts";

const read = (p: string) => JSON.parse(readFileSync(join(REPO_ROOT, p), "utf8"));
const file = ProjectorsFileSchema.parse(read("data/projectors.json"));
const nEmbd = (model: string): number => read(`data/models/${model}.json`).architecture.n_embd;
const fixtures = [
  ...read("tests/fixtures/mmproj/gemma3-cpu.json").cases.map((c: object) => ({ ...c, projector_type: "gemma3" })),
  ...read("tests/fixtures/mmproj/qwen-vl-cpu.json").cases,
] as { id: string; projector_type: string; geometry: Record<string, unknown>; tensor_bytes: number }[];

test("every entry names a catalog preset with a vision encoder, once", () => {
  for (const p of file.projectors) {
    assert.ok(existsSync(join(REPO_ROOT, "data/models", `${p.model}.json`)), p.model);
    assert.ok(p.source.length > 0);
  }
});

for (const p of file.projectors) {
  test(`${p.model}: the built projector's weights equal llama.cpp's for the same geometry; tokens as stated`, () => {
    const text = nEmbd(p.model);
    const h = projectorHeader(p, text, p.model);
    const v = visionProjector(h);
    assert.equal(v.projectorType, p.type);
    if (p.statedTokensPerImage !== null) assert.equal(v.tokensPerImage, p.statedTokensPerImage);
    // the same tensors as the zero-weight files llama-mtmd-cli loaded (tests/helpers/mmproj-models.ts)
    const g = {
      nEmbd: p.hiddenSize,
      nFf: p.intermediateSize,
      nLayer: p.layers,
      nHead: p.heads,
      imageSize: p.imageSize,
      patchSize: p.patchSize,
      textEmbd: text,
      deepstack: p.deepstack,
    };
    const spec =
      p.type === "gemma3" ? gemma3Mmproj(g) : qwen3vlMmproj({ ...g, nPosEmbd: p.positionEmbeddings ?? 2304 });
    assert.deepEqual(
      h.tensors.map((t) => [t.name, t.shape, t.type]),
      spec.tensors.map((t) => [t.name, t.shape, t.type]),
    );
    const measured = fixtures.find(
      (c) =>
        c.projector_type === p.type &&
        c.geometry.nEmbd === p.hiddenSize &&
        c.geometry.nLayer === p.layers &&
        c.geometry.textEmbd === text &&
        (c.geometry.deepstack === undefined || (c.geometry.deepstack as number[]).length === p.deepstack.length),
    );
    if (measured) assert.equal(h.tensorBytes, measured.tensor_bytes, `llama.cpp's model size for ${measured.id}`);
    const loaded = presetProjector(p.model, p, text);
    assert.equal(loaded.preset, p.model);
    assert.equal(loaded.projector.weightsBytes, h.tensorBytes);
  });
}

test("three of the four presets have a llama.cpp measurement of their exact geometry", () => {
  const measured = file.projectors.filter((p) =>
    fixtures.some(
      (c) => c.projector_type === p.type && c.geometry.nEmbd === p.hiddenSize && c.geometry.textEmbd === nEmbd(p.model),
    ),
  );
  assert.deepEqual(measured.map((p) => p.model).sort(), ["gemma-3-12b", "gemma-3-4b", "qwen3.5-27b"]);
});
