/**
 * Dynamic-resolution projectors (Qwen2.5-VL, Qwen3-VL, the Qwen3.5 tower) against llama.cpp's
 * multimodal library on CPU (tests/fixtures/mmproj/qwen-vl-cpu.json, llama-mtmd-cli at de3ff81):
 * weights exact, the resized image and its tokens exact (with --image-min/max-tokens), encoder
 * compute within ±10 % for the warmup graph and for the image's own graph (--no-warmup).
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { writeGguf } from "../../helpers/gguf-writer.ts";
import { qwen25vlMmproj, qwen3vlMmproj } from "../../helpers/mmproj-models.ts";
import type { QwenVlGeometry } from "../../helpers/mmproj-models.ts";
import { readGgufHeaderFromPath } from "../../../src/lib/gguf/node.ts";
import { visionProjector } from "../../../src/lib/engine/vision.ts";
import { dynGeometry, dynGraphBytes, dynImage, smartResize } from "../../../src/lib/engine/vision-dyn.ts";

const MiB = 1024 * 1024;
interface Case {
  id: string;
  projector_type: string;
  geometry: QwenVlGeometry;
  image: [number, number];
  flags: string[];
  tensor_bytes: number;
  log: Record<string, string>;
}
const fixture = JSON.parse(readFileSync(join(REPO_ROOT, "tests/fixtures/mmproj/qwen-vl-cpu.json"), "utf8")) as {
  cases: Case[];
};
const dir = mkdtempSync(join(tmpdir(), "cc-vision-dyn-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const flag = (c: Case, name: string) => {
  const i = c.flags.indexOf(name);
  return i < 0 ? null : Number(c.flags[i + 1]);
};

for (const [i, c] of fixture.cases.entries()) {
  test(`${c.id} ${c.flags.join(" ")}: weights, encoded size and tokens exact; compute within ±10 %`, async () => {
    const path = join(dir, `${i}.gguf`);
    const spec = c.projector_type === "qwen2.5vl_merger" ? qwen25vlMmproj(c.geometry) : qwen3vlMmproj(c.geometry);
    await writeGguf(path, spec);
    const h = await readGgufHeaderFromPath(path);
    const image = { width: c.image[0], height: c.image[1] };
    const limits = { minTokens: flag(c, "--image-min-tokens"), maxTokens: flag(c, "--image-max-tokens") };
    const p = visionProjector(h, { image, ...limits });
    assert.equal(p.projectorType, c.projector_type);
    assert.equal(p.weightsBytes, c.tensor_bytes);
    assert.equal((p.weightsBytes / MiB).toFixed(2), c.log.model_size_mib, "clip.cpp's model size line");
    const [nx, ny] = c.log.encoded_image.match(/\d+/g)!.map(Number);
    assert.deepEqual(p.encodedImage, { width: nx, height: ny });
    assert.equal(p.tokensPerImage, Number(c.log.image_tokens_nx));
    const g = dynGeometry(h)!;
    const own = dynImage(g, limits, image).patches;
    const predicted = c.flags.includes("--no-warmup") ? dynGraphBytes(g, own) : p.computeBytes!;
    const measured = Number(c.log.compute_buffer_mib) * MiB;
    const err = (predicted - measured) / measured;
    assert.ok(Math.abs(err) <= 0.1, `compute ${predicted} vs ${measured} (${(err * 100).toFixed(1)} %)`);
  });
}

test("no image size: the largest image the limits accept (4096 tokens), compute for its 16 384 patches", async () => {
  const c = fixture.cases.find((x) => x.id.startsWith("qwen25vl-7b"))!;
  const path = join(dir, "largest.gguf");
  await writeGguf(path, qwen25vlMmproj(c.geometry));
  const h = await readGgufHeaderFromPath(path);
  const p = visionProjector(h);
  assert.equal(p.tokensPerImage, 4096);
  assert.deepEqual(p.encodedImage, { width: 1792, height: 1792 });
  const big = fixture.cases.find((x) => x.id === "qwen25vl-7b-3000x2000")!;
  const err = (p.computeBytes! - Number(big.log.compute_buffer_mib) * MiB) / (Number(big.log.compute_buffer_mib) * MiB);
  assert.ok(Math.abs(err) <= 0.1, "near the 4056-token image's measured graph");
  assert.match(p.basis, /largest image it accepts is encoded at 1792×1792 px → 4096 tokens/);
  assert.equal(visionProjector(h, { maxTokens: 256 }).tokensPerImage, 256);
});

test("smart resize keeps the aspect ratio and rounds like the float32 C++ (min and max pixels)", () => {
  assert.deepEqual(smartResize({ width: 640, height: 480 }, 28, 6272, 3211264), { width: 644, height: 476 });
  assert.deepEqual(smartResize({ width: 3000, height: 2000 }, 28, 6272, 3211264), { width: 2184, height: 1456 });
  assert.deepEqual(smartResize({ width: 320, height: 240 }, 28, 802816, 3211264), { width: 1036, height: 784 });
  assert.deepEqual(smartResize({ width: 1, height: 1 }, 28, 6272, 3211264), { width: 84, height: 84 });
  assert.deepEqual(smartResize({ width: 0, height: 5 }, 28, 0, 0), { width: 0, height: 0 });
});

test("npm run calc -- --mmproj … --image-size WxH --image-max-tokens N: tokens and compute follow the image", async () => {
  const { execFile } = await import("node:child_process");
  const { promisify } = await import("node:util");
  const c = fixture.cases.find((x) => x.id === "qwen35-tower-1024x1024")!;
  const path = join(dir, "cli.gguf");
  await writeGguf(path, qwen3vlMmproj(c.geometry));
  const run = (...a: string[]) =>
    promisify(execFile)(process.execPath, [join(REPO_ROOT, "scripts/calc.ts"), "--model", "qwen3.5-27b", ...a], {
      cwd: REPO_ROOT,
    });
  const j = JSON.parse((await run("--ctx", "32k", "--mmproj", path, "--image-size", "1920x1080", "--json")).stdout);
  assert.equal(j.vision.tokensPerImage, 2040);
  assert.deepEqual(j.vision.encodedImage, { width: 1920, height: 1088 });
  const capped = (await run("--mmproj", path, "--image-size", "1920x1080", "--image-max-tokens", "1024")).stdout;
  assert.match(capped, /a 1920×1080 image is encoded at \d+×\d+ px → (10\d\d|9\d\d) tokens/);
  await assert.rejects(run("--mmproj", path, "--image-size", "big"), (e: { code: number; stderr: string }) => {
    assert.equal(e.code, 2);
    assert.match(e.stderr, /--image-size "big": expected WIDTHxHEIGHT/);
    return true;
  });
});
