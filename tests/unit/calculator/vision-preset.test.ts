/**
 * The vision box with a dynamic-resolution projector (the Qwen3.5-27B preset's, data/projectors.json):
 * the state's image size and --image-max-tokens resize it (tokens and encoder compute), as llama.cpp's
 * smart resize does; the fixed-size families ignore them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { ProjectorsFileSchema } from "../../../src/schemas/projector.ts";
import { presetProjector } from "../../../src/lib/calculator/vision-load.ts";
import { sizedProjector, visionUse } from "../../../src/lib/calculator/vision-view.ts";
import { DEFAULT_STATE } from "../../../src/lib/calculator/state.ts";

const facts = ProjectorsFileSchema.parse(JSON.parse(readFileSync(join(REPO_ROOT, "data/projectors.json"), "utf8")));
const of = (id: string) => facts.projectors.find((p) => p.model === id)!;

test("Qwen3.5-27B: the largest image by default; 1920x1080 → 2040 tokens; --image-max-tokens caps them", () => {
  const p = presetProjector("qwen3.5-27b", of("qwen3.5-27b"), 5120);
  const largest = sizedProjector(p, DEFAULT_STATE);
  assert.equal(largest.tokensPerImage, 4096);
  const hd = sizedProjector(p, { ...DEFAULT_STATE, imageSize: "1920x1080" });
  assert.equal(hd.tokensPerImage, 2040);
  assert.deepEqual(hd.encodedImage, { width: 1920, height: 1088 });
  assert.ok(hd.computeBytes! < largest.computeBytes!, "a smaller image, a smaller encoder graph");
  const capped = sizedProjector(p, { ...DEFAULT_STATE, imageSize: "1920x1080", imageMaxTokens: 1024 });
  assert.ok(capped.tokensPerImage! <= 1024);
  const u = visionUse(p, { ...DEFAULT_STATE, imageSize: "1920x1080", images: 2 });
  assert.equal(u.v.imageCells, 4080);
});

test("Gemma 3: every image is 256 tokens whatever the size asked", () => {
  const p = presetProjector("gemma-3-27b", of("gemma-3-27b"), 5376);
  assert.equal(sizedProjector(p, { ...DEFAULT_STATE, imageSize: "1920x1080" }).tokensPerImage, 256);
  assert.equal(sizedProjector(p, { ...DEFAULT_STATE, imageSize: "1920x1080" }), p.projector);
});
