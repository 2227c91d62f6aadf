/**
 * Vision projectors against llama.cpp's multimodal library on CPU
 * (tests/fixtures/mmproj/gemma3-cpu.json, recorded with llama-mtmd-cli at de3ff81): projector
 * weights exact (clip.cpp's `model size`), image tokens exact, encoder compute within ±10 %.
 */
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { writeGguf } from "../../helpers/gguf-writer.ts";
import { gemma3Mmproj, llavaMmproj } from "../../helpers/mmproj-models.ts";
import type { SiglipGeometry } from "../../helpers/mmproj-models.ts";
import { qwen3Model } from "../../helpers/gguf-models.ts";
import { readGgufHeaderFromPath } from "../../../src/lib/gguf/node.ts";
import { visionBreakdown, visionProjector } from "../../../src/lib/engine/vision.ts";

const MiB = 1024 * 1024;
const fixture = JSON.parse(readFileSync(join(REPO_ROOT, "tests/fixtures/mmproj/gemma3-cpu.json"), "utf8")) as {
  cases: {
    id: string;
    geometry: SiglipGeometry;
    tensor_bytes: number;
    log: { model_size_mib: string; compute_buffer_mib: string; image_tokens_nx: string };
  }[];
};
const dir = mkdtempSync(join(tmpdir(), "cc-vision-"));
after(() => rmSync(dir, { recursive: true, force: true }));

for (const c of fixture.cases) {
  test(`${c.id}: projector weights and image tokens exact, encoder compute within ±10 % of llama.cpp`, async () => {
    const path = join(dir, `${c.id}.gguf`);
    await writeGguf(path, gemma3Mmproj(c.geometry));
    const p = visionProjector(await readGgufHeaderFromPath(path));
    assert.equal(p.projectorType, "gemma3");
    assert.equal(p.weightsBytes, c.tensor_bytes);
    assert.equal((p.weightsBytes / MiB).toFixed(2), c.log.model_size_mib, "clip.cpp's model size line");
    assert.equal(p.tokensPerImage, Number(c.log.image_tokens_nx));
    const measured = Number(c.log.compute_buffer_mib) * MiB;
    const err = (p.computeBytes! - measured) / measured;
    assert.ok(Math.abs(err) <= 0.1, `compute ${p.computeBytes} vs ${measured} (${(err * 100).toFixed(1)} %)`);
  });
}

const llava = JSON.parse(
  readFileSync(join(REPO_ROOT, "tests/fixtures/mmproj/llava-cpu.json"), "utf8"),
) as typeof fixture;
for (const c of llava.cases) {
  test(`${c.id}: LLaVA projector weights and image tokens exact, encoder compute within ±10 % of llama.cpp`, async () => {
    const path = join(dir, `${c.id}.gguf`);
    await writeGguf(path, llavaMmproj(c.geometry));
    const p = visionProjector(await readGgufHeaderFromPath(path));
    assert.equal(p.projectorType, "mlp");
    assert.equal(p.weightsBytes, c.tensor_bytes);
    assert.equal((p.weightsBytes / MiB).toFixed(2), c.log.model_size_mib, "clip.cpp's model size line");
    assert.equal(p.tokensPerImage, Number(c.log.image_tokens_nx));
    const measured = Number(c.log.compute_buffer_mib) * MiB;
    const err = (p.computeBytes! - measured) / measured;
    assert.ok(Math.abs(err) <= 0.1, `compute ${p.computeBytes} vs ${measured} (${(err * 100).toFixed(1)} %)`);
  });
}

test("images × tokens per image are KV cells; --no-mmproj-offload puts the projector in host memory", async () => {
  const path = join(dir, "small.gguf");
  await writeGguf(path, gemma3Mmproj(fixture.cases[2].geometry));
  const p = visionProjector(await readGgufHeaderFromPath(path));
  const v = visionBreakdown(p, { images: 3, offload: false });
  assert.equal(v.imageCells, 3 * 64);
  assert.equal(v.device, "host");
  assert.throws(() => visionBreakdown(p, { images: -1, offload: true }), /images: -1/);
});

test("a GGUF that is not a projector is refused; an unmodelled projector type gives weights only", async () => {
  const lm = join(dir, "lm.gguf");
  await writeGguf(lm, qwen3Model());
  assert.throws(
    () => visionProjector({ metadata: { "general.architecture": "qwen3" }, source: lm } as never),
    /not a projector/,
  );
  const spec = gemma3Mmproj(fixture.cases[3].geometry);
  const other = join(dir, "other.gguf");
  await writeGguf(other, {
    ...spec,
    metadata: { ...spec.metadata, "clip.projector_type": { type: "string", value: "ldp" } },
  });
  const p = visionProjector(await readGgufHeaderFromPath(other));
  assert.equal(p.tokensPerImage, null);
  assert.equal(p.computeBytes, null);
  assert.equal(p.weightsBytes, fixture.cases[3].tensor_bytes);
});

test("npm run calc -- --mmproj <file> --images N adds the projector beside the breakdown", async () => {
  const path = join(dir, "cli.gguf");
  await writeGguf(path, gemma3Mmproj(fixture.cases[2].geometry));
  const run = (...a: string[]) =>
    promisify(execFile)(process.execPath, [join(REPO_ROOT, "scripts/calc.ts"), ...a], { cwd: REPO_ROOT });
  const j = JSON.parse(
    (await run("--model", "gemma-3-4b", "--ctx", "8k", "--mmproj", path, "--images", "2", "--json")).stdout,
  );
  assert.equal(j.vision.weightsBytes, fixture.cases[2].tensor_bytes);
  assert.equal(j.vision.imageCells, 128);
  assert.equal(j.vision.device, "gpu");
  const t = (await run("--model", "gemma-3-4b", "--ctx", "8k", "--mmproj", path, "--no-mmproj-offload")).stdout;
  assert.match(t, /vision projector \(gemma3, \d+ tensors\): weights .* exact\) in host memory/);
  assert.match(t, /1 image × 64 tokens = 64 KV cells of the 8192-token context/);
  await assert.rejects(
    run("--model", "gemma-3-4b", "--mmproj", join(dir, "lm-missing.gguf")),
    (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr, /--mmproj: .*cannot open/);
      return true;
    },
  );
});
