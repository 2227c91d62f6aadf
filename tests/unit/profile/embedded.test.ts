/**
 * End to end on the CPU: the real prebuilt llama.cpp (node-llama-cpp, build "never") profiles a
 * tiny but complete GGUF at 3 contexts × 2 KV types; the run folder is ingested into a temporary
 * data dir by the real `npm run ingest`; every point's measured KV equals the hand-computed bytes
 * and the engine's prediction.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { rmSync } from "node:fs";
import { RunInputSchema, RunSchema } from "../../../src/schemas/run.ts";
import { computeBreakdown } from "../../../src/lib/engine/index.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";
import { readGgufHeaderFromPath } from "../../../src/lib/gguf/node.ts";
import { ggufToArchitecture } from "../../../src/lib/gguf/map.ts";
import { printfMiB2 } from "../../../scripts/profile/outcome.ts";
import { INGEST, PROFILE, TINY, runCli, tmp, writeTinyModel, type CliResult } from "./run-cli.ts";

let dir: string;
let model: string;
let out: string;
let prof: CliResult;

/** Hand computation: K and V, each n_layer × cells × row(n_head_kv × head_dim values). */
function kvBytes(cells: number, type: "f16" | "q8_0"): number {
  const values = TINY.nHeadKv * TINY.headDim; // 128
  const row = type === "f16" ? values * 2 : (values / 32) * 34; // 256 B or 136 B
  return 2 * TINY.nLayer * cells * row;
}

const CASES = [512, 1024, 2048].flatMap((n) =>
  (["f16", "q8_0"] as const).map((t) => ({ n, t, name: `tiny-qwen3_ctx-${n}_k-${t}_v-${t}_fa-on` })),
);

before(async () => {
  dir = tmp("embedded");
  model = await writeTinyModel(dir);
  out = join(dir, "run");
  prof = await runCli(PROFILE, [
    "--model",
    model,
    "--ctx",
    "512,1k,2k",
    "--kv",
    "f16,q8_0",
    "--gpu",
    "off",
    "--threads",
    "1",
    "--gen",
    "4",
    "--out",
    out,
  ]);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("profile exits 0 and writes one case folder per configuration in the measurement layout", () => {
  assert.equal(prof.code, 0, prof.stderr);
  const entries = readdirSync(out).sort();
  assert.deepEqual(entries, ["provenance", "run.json", ...CASES.map((c) => c.name)].sort());
  for (const c of CASES) {
    for (const f of ["llama.log", "case.json", "command.txt", "memprobe-stdout.txt"])
      assert.ok(existsSync(join(out, c.name, f)), `${c.name}/${f}`);
    const cj = JSON.parse(readFileSync(join(out, c.name, "case.json"), "utf8"));
    assert.equal(cj.status, "ok");
    assert.equal(cj.n_ctx, c.n);
    assert.equal(cj.type_k, c.t);
    assert.equal(cj.filled_tokens, c.n - 64);
    assert.equal(cj.generated_tokens, 4);
    assert.equal(cj.exit_code, 0);
    assert.match(cj.peak_rss_source, /VmHWM.*reset/);
  }
  assert.ok(RunInputSchema.safeParse(JSON.parse(readFileSync(join(out, "run.json"), "utf8"))).success);
  assert.match(prof.stdout, /6 ok, 0 did not fit, 0 failed, 0 skipped/);
});

test("each llama.log holds llama.cpp's own lines: the requested cache types were the ones allocated", () => {
  for (const c of CASES) {
    const log = readFileSync(join(out, c.name, "llama.log"), "utf8");
    const lines = log.split("\n").filter((l) => /llama_kv_cache: size =/.test(l));
    assert.equal(lines.length, 1, c.name);
    assert.match(lines[0], /^\d+\.\d{2}\.\d{3}\.\d{3} I llama_kv_cache: size =/);
    assert.ok(lines[0].includes(`K (${c.t}):`) && lines[0].includes(`V (${c.t}):`), lines[0]);
    assert.ok(
      lines[0].includes(
        `size = ${printfMiB2(kvBytes(c.n, c.t)).padStart(7)} MiB (${String(c.n).padStart(6)} cells,   4 layers,  1/1 seqs)`,
      ),
      lines[0],
    );
    assert.match(log, new RegExp(`llama_context: n_ctx\\s+= ${c.n}\\n`));
    assert.match(log, /load_tensors:\s+CPU_Mapped model buffer size/);
    assert.match(log, /llama_perf_context_print: prompt eval time/);
    const cmd = readFileSync(join(out, c.name, "command.txt"), "utf8");
    assert.match(
      cmd,
      new RegExp(`--ctx ${c.n} --kv ${c.t}/${c.t} --fa on --parallel 1 --ubatch 512 --fill ${c.n - 64} --gen 4`),
    );
  }
});

test("ingest takes the folder unchanged; measured KV = hand computation = engine prediction", async () => {
  const data = join(dir, "data");
  const ing = await runCli(INGEST, [out, "--data-dir", data]);
  assert.equal(ing.code, 0, ing.stderr + ing.stdout);
  const runs = readdirSync(join(data, "runs"));
  assert.equal(runs.length, 1);
  const run = RunSchema.parse(JSON.parse(readFileSync(join(data, "runs", runs[0]), "utf8")));
  assert.equal(run.points.length, 6);
  assert.equal(run.runtime.backend, "cpu");
  const header = await readGgufHeaderFromPath(model);
  // Σ F32 tensor elements: token_embd 64×320 + output_norm 64 + 4 layers × (attn_norm 64, q 64×256,
  // k 64×128, v 64×128, o 256×64, q/k norms 2×64, ffn_norm 64, gate/up 2×64×128, down 128×64)
  // = 20480 + 64 + 4 × 73984 = 316480 params × 4 B
  assert.equal(run.model.params, 316_480);
  assert.equal(run.model.weights_bytes, 1_265_920);
  const arch = ggufToArchitecture(header.metadata, { tensors: header.tensors });
  for (const c of CASES) {
    const p = run.points.find((x) => x.id === c.name);
    assert.ok(p, c.name);
    assert.equal(p.status, "ok");
    assert.equal(p.config.n_ctx, c.n);
    assert.equal(p.config.type_k, c.t);
    assert.equal(p.config.type_v, c.t);
    assert.equal(p.n_ctx_allocated, c.n);
    const want = kvBytes(c.n, c.t);
    const engine = computeBreakdown(
      arch,
      RuntimeConfigSchema.parse({
        n_ctx: c.n,
        type_k: c.t,
        type_v: c.t,
        flash_attn: "on",
        n_ubatch: 512,
        n_batch: 512,
        backend: "cpu",
        n_gpu_layers: 0,
      }),
    );
    assert.equal(engine.kv.bytes, want, `engine ${c.name}`);
    const kv = p.measured.kv_bytes!;
    assert.ok(
      Math.abs(kv.bytes - want) <= kv.resolution_bytes!,
      `${c.name}: measured ${kv.bytes} B, computed ${want} B`,
    );
    assert.equal(kv.source.tool, "llama.cpp");
    // peak RSS of the step: the process, the loaded weights and this context
    const rss = p.measured.peak_rss_bytes!;
    assert.equal(rss.source.tool, "memprobe");
    assert.ok(rss.bytes > header.tensorBytes + want, `${c.name}: peak RSS ${rss.bytes}`);
    // the process before the model load (Node.js + node-llama-cpp) is recorded as the baseline:
    // its PROC line comes first in the case's memprobe-stdout.txt
    const mem = readFileSync(join(out, c.name, "memprobe-stdout.txt"), "utf8").split("\n");
    const pre = /^PROC stage=before_model_load .*VmRSS_kB=(\d+)/.exec(mem[0]);
    assert.ok(pre, mem[0]);
    assert.equal(rss.baseline?.bytes, Number(pre[1]) * 1024, c.name);
    assert.equal(rss.baseline?.source.line, 1);
    assert.ok(rss.bytes - rss.baseline!.bytes > header.tensorBytes + want, c.name);
  }
  assert.match(
    prof.stdout,
    new RegExp(`tiny-qwen3_ctx-2048_k-q8_0_v-q8_0_fa-on: KV measured 2.12 MiB, engine 2.12 MiB \\(equal\\)`),
  );
});

test("a context that cannot be allocated is recorded as 'did not fit', the run goes on, ingest keeps it a result", async () => {
  // No test is skipped: this one needs Linux (RLIMIT_AS through `ulimit -v` makes malloc fail
  // reliably; macOS does not enforce it), which CI is.
  assert.equal(process.platform, "linux", "this test caps the address space with ulimit -v: run it on Linux");
  // 16M cells of f16 KV = 32 GiB; the address space is capped at ~15 GiB, so malloc fails for sure
  const o2 = join(dir, "run-dnf");
  const r = await runCli(
    PROFILE,
    [
      "--model",
      model,
      "--ctx",
      "512,16M",
      "--kv",
      "f16",
      "--gpu",
      "off",
      "--threads",
      "1",
      "--gen",
      "2",
      "--force",
      "--out",
      o2,
    ],
    { shellPrefix: "ulimit -v 16000000" },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /1 ok, 1 did not fit, 0 failed, 0 skipped/);
  const cj = JSON.parse(readFileSync(join(o2, "tiny-qwen3_ctx-16777216_k-f16_v-f16_fa-on", "case.json"), "utf8"));
  assert.equal(cj.status, "did-not-fit");
  assert.match(cj.message, /failed to allocate/);
  const log = readFileSync(join(o2, "tiny-qwen3_ctx-16777216_k-f16_v-f16_fa-on", "llama.log"), "utf8");
  assert.match(
    log,
    / E llama_init_from_model: failed to initialize the context: failed to allocate buffer for kv cache/,
  );

  // ingest: the step is a did-not-fit point, not a failure, with no measurement and no comparison
  const data = join(dir, "data-dnf");
  const ing = await runCli(INGEST, [o2, "--data-dir", data, "--json"]);
  assert.equal(ing.code, 0, ing.stderr + ing.stdout);
  const [file] = readdirSync(join(data, "runs"));
  const run = RunSchema.parse(JSON.parse(readFileSync(join(data, "runs", file), "utf8")));
  const dnf = run.points.find((p) => p.id === "tiny-qwen3_ctx-16777216_k-f16_v-f16_fa-on")!;
  assert.equal(dnf.status, "did-not-fit");
  assert.deepEqual(dnf.measured, {});
  assert.ok(
    dnf.notes.some((n) => /^case\.json: did not fit: .*failed to allocate/.test(n)),
    dnf.notes.join(" | "),
  );
  assert.equal(run.points.find((p) => p.id === "tiny-qwen3_ctx-512_k-f16_v-f16_fa-on")!.status, "ok");
  const check = JSON.parse(ing.stdout).runs[0].check;
  assert.deepEqual(
    check.points.map((p: { point: string }) => p.point),
    ["tiny-qwen3_ctx-512_k-f16_v-f16_fa-on"],
  );
});
