/**
 * `npm run calc` CLI: options, JSON output, exit codes (0 ok, 1 cannot size, 2 usage).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { FIXTURES, REPO_ROOT } from "../../helpers/engine.ts";
import { writeGguf } from "../../helpers/gguf-writer.ts";
import { qwen3Model } from "../../helpers/gguf-models.ts";

function calc(...args: string[]) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, "scripts/calc.ts"), ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const q14 = join(FIXTURES, "qwen3-14b.json");

test("--help states llama-cli semantics and exits 0", () => {
  const r = calc("--help");
  assert.equal(r.code, 0);
  assert.match(r.out, /n_seq 1, not unified/);
});

test("--json prints the breakdown in integer bytes with the issue's required fields", () => {
  const r = calc("--model", q14, "--ctx", "32k", "--kv", "q8_0", "--weights", "Q4_K_M", "--json");
  assert.equal(r.code, 0, r.err);
  const b = JSON.parse(r.out);
  // 40 layers × 1024 × 34/32 B × 2 × 32768 cells = 2,852,126,720 (the H100 q8_0/q8_0 32K context buffer)
  assert.equal(b.kv.bytes, 2_852_126_720);
  assert.equal(b.kv.k_bytes + b.kv.v_bytes, b.kv.bytes);
  assert.deepEqual(Object.keys(b.kv.caches[0]).slice(0, 3), ["kind", "cells", "n_stream"]);
  assert.equal(b.kv.caches[0].kind, "full");
  assert.equal(b.kv.caches[0].cells, 32768);
  assert.equal(b.kv.caches[0].layers, 40);
  assert.equal(b.recurrent.bytes, 0);
  assert.equal(b.recurrent.r_bytes, 0);
  assert.equal(b.weights.bytes, 8_995_793_920);
  assert.ok(Number.isInteger(b.compute.bytes) && Number.isInteger(b.total.bytes));
  assert.equal(b.context.requested, 32768);
  assert.equal(b.context.allocated_cells, 32768);
  assert.equal(b.context.n_ctx_seq, 32768);
  assert.equal(b.context.n_seq, 1);
  assert.equal(b.context.kv_unified, false);
});

test("context parsing: 128K = 131072, 1000 → 1024 cells; --parallel 4 --unified", () => {
  const r = calc("--model", q14, "--ctx", "128K", "--json");
  assert.equal(JSON.parse(r.out).context.requested, 131072);
  const p = JSON.parse(calc("--model", q14, "--ctx", "1000", "--parallel", "4", "--unified", "--json").out);
  assert.equal(p.context.allocated_cells, 1024);
  assert.equal(p.context.n_stream, 1);
});

test("human output shows caches, totals and the budget answer", () => {
  const r = calc("--model", q14, "--ctx", "8k", "--weights", "Q4_K_M", "--budget", "12GiB");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /KV full \(8192 cells/);
  assert.match(r.out, /total device/);
  assert.match(r.out, /largest context [\d,]+ \([\d.]+K\) \(limited by GPU memory\)/);
  assert.doesNotMatch(r.out, /next step|(\d+) \(\1\)/);
  assert.match(r.out, /q4_0/);
});

test("usage errors exit 2 with one line naming the option", () => {
  for (const args of [
    ["--model", q14, "--bogus"],
    ["--model", q14, "--fa", "maybe"],
    ["--model", q14, "--ctx", "lots"],
    ["--model", q14, "--kv", "q3_0"],
    ["--model", q14, "--parallel", "0"],
    ["--ctx", "4k"],
    ["--model", q14, "--budget", "12 apples"],
  ]) {
    const r = calc(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.equal(r.err.trim().split("\n").length, 1);
  }
  assert.match(calc("--model", q14, "--fa", "maybe").err, /--fa "maybe": expected one of on, off, auto/);
});

test("models the engine cannot size exit 1 naming the field or option", () => {
  const r = calc("--model", "no-such-preset-xyz");
  assert.equal(r.code, 1);
  assert.match(r.err, /"no-such-preset-xyz": no such preset; .*--list/);
  const q = calc("--model", q14, "--ctv", "q8_0", "--fa", "off");
  assert.equal(q.code, 1);
  assert.match(q.err, /requires Flash Attention/);
  const t = calc("--model", q14, "--kv", "turbo3");
  assert.equal(t.code, 1);
  assert.match(t.err, /turboquant/);
  const bad = calc("--model", join(FIXTURES, "README.md"));
  assert.equal(bad.code, 1);
});

test("a .gguf model: architecture and exact tensor table from the header", async () => {
  const dir = mkdtempSync(join(tmpdir(), "calc-gguf-"));
  try {
    const path = join(dir, "tiny-qwen3.gguf");
    // 4 layers, 2 KV heads × 128: f16 K+V per cell = 4 × 256 × 2 × 2 B = 4096 B
    const layout = await writeGguf(path, qwen3Model({ untied: true }));
    const r = calc("--model", path, "--ctx", "4096", "--json");
    assert.equal(r.code, 0, r.err);
    const b = JSON.parse(r.out);
    assert.equal(b.model.arch, "qwen3");
    assert.equal(b.weights.source, "tensor-table");
    assert.equal(b.weights.bytes, Number(layout.tensorBytes));
    assert.equal(b.kv.bytes, 4096 * 4096);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("placement flags: --json gains buffers[] and devices[] per device, llama.cpp spellings accepted", () => {
  const r = calc(
    ...["--model", q14, "--weights", "F16", "--ctx", "4k", "--devices", "cuda:24GiB,cuda:24GiB"],
    ...["-ts", "1,1", "-ngl", "41", "--rpc", "127.0.0.1:50052=16GiB", "--json"],
  );
  assert.equal(r.code, 0, r.err);
  const b = JSON.parse(r.out);
  assert.deepEqual(
    b.devices.map((d: { name: string }) => d.name),
    ["RPC0[127.0.0.1:50052]", "CUDA0", "CUDA1", "host"],
  );
  const kv = b.buffers.filter((x: { kind: string }) => x.kind === "kv");
  assert.equal(
    kv.reduce((s: number, x: { bytes: number }) => s + x.bytes, 0),
    b.kv.bytes,
  );
  assert.ok(b.buffers.every((x: { pool: string }) => x.pool === "device" || x.pool === "host"));
});

test("bad placement combinations exit 2 with the reason", () => {
  for (const [args, re] of [
    [["--devices", "cuda:24GiB", "-ts", "1,1"], /-ts has 2 values but there are 1 devices/],
    [["--devices", "cuda:24GiB", "-sm", "none", "-mg", "3"], /-mg 3 is out of range/],
    [["--devices", "metal:64GiB", "-sm", "row"], /does not support split buffers/],
    [["--devices", "cuda:24GiB,cuda:24GiB", "-sm", "row"], /device CUDA0 does not support split buffers/],
    [["--devices", "cuda:24GiB", "-ot", "nothing_matches=CPU"], /matches no tensor/],
    [["--devices", "gpu:24GiB"], /kind one of/],
    [["--rpc", "host-without-port"], /host:port=memory/],
  ] as const) {
    const r = calc("--model", q14, "--weights", "F16", ...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, re);
  }
});

test("--model takes display names and Ollama tags; a miss suggests the nearest presets (exit 1)", () => {
  for (const name of ["Llama 3.1 70B", "llama3.1:70b", "Llama-3.1-70B"]) {
    const r = calc("--model", name, "--ctx", "4k", "--weights", "Q4_K_M", "--json");
    assert.equal(r.code, 0, `${name}: ${r.err}`);
    assert.equal(JSON.parse(r.out).model.name, "Llama-3.1-70B");
  }
  const miss = calc("--model", "llama 70b");
  assert.equal(miss.code, 1);
  assert.match(miss.err, /no such preset; did you mean: .*llama-3\.1-70b \(Llama-3\.1-70B\)/);
  // The tag's weight suffix picks the weights.
  assert.equal(JSON.parse(calc("--model", "qwen3:14b-q8_0", "--ctx", "4k", "--json").out).weights.ftype, "Q8_0");
});

test("--list [filter] lists presets with their trained context and Ollama tags", () => {
  const r = calc("--list", "gpt-oss");
  assert.equal(r.code, 0, r.err);
  const lines = r.out.trim().split("\n");
  assert.equal(lines.length, 3);
  assert.match(r.out, /gpt-oss-20b +gpt-oss-20b +131,072 \(128K\) +gpt-oss:20b/);
});

test("--hardware sets the budget and the backend; KV on the host is labelled host", () => {
  const mac = calc("--model", "qwen3-14b", "--hardware", "M3 Max 36 GB", "--weights", "Q4_K_M");
  assert.equal(mac.code, 0, mac.err);
  assert.match(mac.out, /· metal/);
  assert.match(mac.out, /budget Apple M3 Max .*GPU working-set limit/);
  assert.match(mac.out, /largest context 40,960 \(40K\) \(limited by the model's trained context\)/);
  assert.equal(calc("--model", "qwen3-14b", "--hardware", "h100").code, 2);
  const both = calc("--model", "qwen3-14b", "--hardware", "rtx 4090", "--budget", "8GiB");
  assert.equal(both.code, 2);
  const off = calc("--model", q14, "--ctx", "8k", "--no-kv-offload");
  assert.match(off.out, /KV full .* host +1280\.00/);
  const split = calc("--model", q14, "--ctx", "8k", "--ngl", "20");
  assert.match(split.out, /KV full .* split +1280\.00/);
  assert.match(split.out, /of which on CPU +host/);
});

test("a preset without --weights counts its default variant and names it", () => {
  const r = calc("--model", "qwen3-14b", "--ctx", "8k");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out.split("\n")[0], /^weights: Q4_K_M, the preset's default \(the Ollama library's qwen3:14b\)/);
  assert.match(r.out, /weights CUDA0 \(builder, Q4_K_M\)/);
  assert.doesNotMatch(r.out, /weights counted as 0/);
});

test("gemma-3-27b at 128K on 24 GiB: default weights counted, the largest context really fits", () => {
  const GiB = 1024 ** 3;
  const r = calc("--model", "gemma-3-27b", "--ctx", "128k", "--budget", "24GiB", "--json");
  assert.equal(r.code, 0, r.err);
  const b = JSON.parse(r.out);
  assert.match(b.weights_choice, /Q4_K_M, the preset's default/);
  assert.ok(b.weights.bytes > 15 * GiB, `weights ${b.weights.bytes} B`);
  const n = b.budget.max_context as number;
  assert.ok(n < 131072, `largest context ${n} is below the asked 128K`);
  assert.equal(b.budget.limited_by, "memory");
  // The answer fits; one allocation step (256 cells) more does not.
  const at = (ctx: number) => JSON.parse(calc("--model", "gemma-3-27b", "--ctx", String(ctx), "--json").out);
  assert.ok(at(n).total.device_bytes <= 24 * GiB);
  assert.ok(at(n + 256).total.device_bytes > 24 * GiB);
});

test("no weight information (a bare architecture): an error line on top, and --budget refuses unless --weights-zero", () => {
  const r = calc("--model", q14, "--ctx", "8k");
  assert.equal(r.code, 0, r.err);
  assert.match(r.out.split("\n")[0], /^error: no weight information .* weights counted as 0 B/);
  const refused = calc("--model", q14, "--ctx", "8k", "--budget", "12GiB");
  assert.equal(refused.code, 1);
  assert.match(refused.err, /--budget: the weights are unknown \(counted as 0 B\), so no fit is claimed/);
  assert.doesNotMatch(refused.out, /largest context/);
  const zero = calc("--model", q14, "--ctx", "8k", "--budget", "12GiB", "--weights-zero");
  assert.equal(zero.code, 0, zero.err);
  assert.match(zero.out, /^error: no weight information/);
  assert.match(zero.out, /largest context/);
});

test("--help says which weights apply by default", () => {
  const r = calc("--help");
  assert.match(r.out, /else the preset's default\s+variant/);
  assert.match(r.out, /--weights-zero/);
});

test("--fit prints the solver's llama.cpp flags and places the model with them", () => {
  const r = calc(
    ...["--model", q14, "--weights", "Q4_K_M", "--devices", "cuda:12GiB,cuda:8GiB", "--fit", "--fit-ctx", "8192"],
    "--json",
  );
  assert.equal(r.code, 0, r.err);
  const b = JSON.parse(r.out);
  assert.ok(b.fit, "a 14B Q4_K_M fits 12 + 8 GiB");
  assert.equal(b.fit.n_gpu_layers, 41);
  assert.ok(b.fit.n_ctx >= 8192);
  assert.deepEqual(b.fit.flags.slice(0, 4), ["-c", String(b.fit.n_ctx), "-ngl", "41"]);
  // every device keeps the 1024 MiB margin
  for (const d of b.devices.filter((x: { pool: string }) => x.pool === "device"))
    assert.ok(d.bytes <= d.budget_bytes - 1024 * 1024 * 1024, d.name);
  assert.equal(calc("--model", q14, "--fit-target", "-5").code, 2);
});
