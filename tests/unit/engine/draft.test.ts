/**
 * Draft models (-md): the draft context gets the target's context size, sequences and unified KV,
 * its own -ctkd/-ctvd (default f16) and -ngld — checked against llama.cpp's server at de3ff81
 * (tests/fixtures/draft/llama-server-cpu.json): draft weights and KV exact.
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
import { qwen3Model } from "../../helpers/gguf-models.ts";

const MiB = 1024 * 1024;
const fx = JSON.parse(readFileSync(join(REPO_ROOT, "tests/fixtures/draft/llama-server-cpu.json"), "utf8"));
const dir = mkdtempSync(join(tmpdir(), "cc-draft-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const run = (...a: string[]) =>
  promisify(execFile)(process.execPath, [join(REPO_ROOT, "scripts/calc.ts"), ...a], { cwd: REPO_ROOT });

test("-md <gguf> with -ctkd/-ctvd: the draft's weights and KV equal llama.cpp's draft context", async () => {
  const target = join(dir, "target.gguf");
  const draft = join(dir, "draft.gguf");
  await writeGguf(target, qwen3Model(fx.target));
  const layout = await writeGguf(draft, qwen3Model(fx.draft));
  // llama-server's defaults: 4 slots, unified KV; the draft inherits them and the context size
  const r = await run(
    "--model",
    target,
    "--ctx",
    "4096",
    "--parallel",
    "4",
    "--unified",
    "--backend",
    "cpu",
    "-md",
    draft,
    "-ctkd",
    "q8_0",
    "-ctvd",
    "q8_0",
    "--json",
  );
  const d = JSON.parse(r.stdout).draft;
  const b = d.breakdown;
  assert.equal(b.context.allocated_cells, fx.draft_log.n_ctx);
  // 2 layers × 64 × 1 KV head × 34/32 B (q8_0) × 4096 cells, for K and for V
  assert.equal(b.kv.k_bytes, 2 * 64 * 4096 * (34 / 32));
  assert.equal((b.kv.k_bytes / MiB).toFixed(2), fx.draft_log.kv_k_mib);
  assert.equal((b.kv.v_bytes / MiB).toFixed(2), fx.draft_log.kv_v_mib);
  assert.equal(b.weights.bytes, Number(layout.tensorBytes));
  assert.equal(b.weights.estimate, false);
  assert.equal((b.weights.bytes / MiB).toFixed(2), fx.draft_log.model_buffer_mib);
  assert.deepEqual([d.config.type_k, d.config.type_v, d.config.n_gpu_layers], ["q8_0", "q8_0", -1]);
});

test("the draft's KV types default to f16 whatever the target's -ctk/-ctv; -ngld and --draft-max are kept", async () => {
  const r = await run(
    "--model",
    "qwen3-14b",
    "--ctx",
    "16k",
    "-ctk",
    "q8_0",
    "-ctv",
    "q8_0",
    "-md",
    "qwen3-0.6b",
    "-ngld",
    "10",
    "--draft-max",
    "8",
    "--json",
  );
  const d = JSON.parse(r.stdout).draft;
  assert.deepEqual([d.config.type_k, d.config.type_v, d.config.n_gpu_layers, d.draftMax], ["f16", "f16", 10, 8]);
  // qwen3-0.6b: 28 layers × 8 KV heads × 128 × 2 B × 16384 cells, K and V
  assert.equal(d.breakdown.kv.bytes, 2 * 28 * 8 * 128 * 2 * 16384);
  const t = await run("--model", "qwen3-14b", "--ctx", "16k", "-md", "qwen3-0.6b");
  assert.match(
    t.stdout,
    /draft model data\/models\/qwen3-0\.6b\.json \(-ctkd f16 -ctvd f16, -ngld -1, --draft-max 3\)/,
  );
  assert.match(t.stdout, /target \+ draft /);
});
