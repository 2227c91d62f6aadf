/**
 * The server runner against a fake llama-server (tests/fixtures/profile/fake-llama-server.ts: real
 * log formats and the HTTP API, no model maths). What is tested is the runner: the arguments it
 * passes, the fill through /completion, the folder it writes, that ingest accepts it, and that no
 * server process outlives a step — after SIGTERM, after SIGKILL, on Ctrl-C and on errors.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import {
  INGEST,
  PROFILE,
  alive,
  fakeNvidiaSmiDir,
  fakeServerWrapper,
  runCli,
  startCli,
  tmp,
  waitFor,
  writeTinyModel,
} from "./run-cli.ts";

let dir: string;
let model: string;
let server: string;

before(async () => {
  dir = tmp("server");
  model = await writeTinyModel(dir);
  server = fakeServerWrapper(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Launch records the fake writes: one per server process. */
function launches(logDir: string): { pid: number; argv: string[] }[] {
  return readdirSync(logDir).map((f) => JSON.parse(readFileSync(join(logDir, f), "utf8")));
}

function logDirFor(name: string): string {
  const d = join(dir, `launches-${name}`);
  mkdirSync(d);
  return d;
}

/** One configuration that ran: its command line, the launch the fake recorded, case.json, llama.log, memprobe. */
function checkRanCase(out: string, ls: { argv: string[] }[], n: number, k: string, v: string): void {
  const c = join(out, `tiny-qwen3_ctx-${n}_k-${k}_v-${v}_fa-on`);
  const cmd = readFileSync(join(c, "command.txt"), "utf8").trim();
  const port = /--port (\d+)$/.exec(cmd)?.[1];
  assert.ok(port, cmd);
  const args = [
    "-m",
    model,
    "-c",
    String(n),
    "-ctk",
    k,
    "-ctv",
    v,
    "-fa",
    "on",
    "-np",
    "1",
    "-ub",
    "512",
    "-b",
    "2048",
    "-fit",
    "off",
    "--host",
    "127.0.0.1",
    "--port",
    port,
  ];
  assert.equal(cmd, [server, ...args].join(" "));
  // the server really got these arguments
  assert.ok(
    ls.some((l) => JSON.stringify(l.argv) === JSON.stringify(args)),
    `launch with ${args.join(" ")}`,
  );
  const cj = JSON.parse(readFileSync(join(c, "case.json"), "utf8"));
  assert.equal(cj.status, "ok");
  assert.equal(cj.filled_tokens, n - 64);
  assert.equal(cj.generated_tokens, 4);
  // stderr verbatim: the fake's own lines, untouched
  const log = readFileSync(join(c, "llama.log"), "utf8");
  assert.match(log, /^\d+\.\d{2}\.\d{3}\.\d{3} I build: 0 \(0000000\)/);
  assert.match(log, new RegExp(`slot launch_slot_: id  0 \\| task 0 \\| processing task`));
  assert.match(log, new RegExp(`prompt eval time = +[0-9.]+ ms / +${n - 64} tokens`));
  // peak RSS of the server process, from its /proc status
  const mem = readFileSync(join(c, "memprobe-stdout.txt"), "utf8");
  assert.match(mem, /^PROC stage=generated t=[0-9.]+ VmPeak_kB=\d+ .*VmHWM_kB=\d+/m);
  assert.match(mem, new RegExp(`^RESULT n_ctx=${n} .*fill_tokens=${n - 64} .*gen_tokens=4`, "m"));
}

/** The configurations that did not fit: a result with llama.cpp's allocation error. */
function checkDidNotFit(out: string): void {
  for (const kv of ["k-f16_v-f16", "k-q8_0_v-q4_0"]) {
    const c = join(out, `tiny-qwen3_ctx-2048_${kv}_fa-on`);
    const cj = JSON.parse(readFileSync(join(c, "case.json"), "utf8"));
    assert.equal(cj.status, "did-not-fit");
    assert.match(cj.message, /exited \(code 1\) before it was ready: .*failed to allocate buffer for kv cache/);
    assert.match(
      readFileSync(join(c, "llama.log"), "utf8"),
      / E ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer of size \d+/,
    );
  }
}

/** Ingest takes the folder: 6 points, the two that did not fit are results with nothing measured. */
async function checkIngested(out: string): Promise<void> {
  const data = join(dir, "data");
  const ing = await runCli(INGEST, [out, "--data-dir", data]);
  assert.equal(ing.code, 0, ing.stderr + ing.stdout);
  const [file] = readdirSync(join(data, "runs"));
  const run = JSON.parse(readFileSync(join(data, "runs", file), "utf8"));
  assert.equal(run.points.length, 6);
  const byId = Object.fromEntries(run.points.map((p: { id: string }) => [p.id, p]));
  assert.equal(byId["tiny-qwen3_ctx-1024_k-q8_0_v-q4_0_fa-on"].status, "ok");
  assert.equal(byId["tiny-qwen3_ctx-1024_k-q8_0_v-q4_0_fa-on"].config.type_v, "q4_0");
  // the two steps that did not fit are results: did-not-fit (not "failed"), nothing measured
  for (const kv of ["k-f16_v-f16", "k-q8_0_v-q4_0"]) {
    const p = byId[`tiny-qwen3_ctx-2048_${kv}_fa-on`];
    assert.equal(p.status, "did-not-fit", kv);
    assert.deepEqual(p.measured, {}, kv);
    assert.ok(
      p.notes.some((n: string) => /^case\.json: did not fit: .*failed to allocate buffer for kv cache/.test(n)),
      p.notes.join(" | "),
    );
  }
  assert.equal(run.points.filter((p: { status: string }) => p.status === "ok").length, 4);
}

test("one llama-server per configuration with -c -ctk -ctv -fa -np -ub -fit off; filled over HTTP; all stopped", async () => {
  const launchDir = logDirFor("main");
  const out = join(dir, "run");
  const r = await runCli(
    PROFILE,
    ["--model", model, "--server", server, "--ctx", "512,1k,2k", "--kv", "f16,q8_0/q4_0", "--gen", "4", "--out", out],
    {
      env: { FAKE_SERVER_LOG_DIR: launchDir, FAKE_SERVER_MAX_CTX: "1024" },
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /4 ok, 2 did not fit, 0 failed, 0 skipped/);

  const ls = launches(launchDir);
  assert.equal(ls.length, 6);
  for (const l of ls) assert.equal(alive(l.pid), false, `llama-server ${l.pid} still running`);

  for (const [n, k, v] of [
    [512, "f16", "f16"],
    [512, "q8_0", "q4_0"],
    [1024, "f16", "f16"],
    [1024, "q8_0", "q4_0"],
  ] as const)
    checkRanCase(out, ls, n, k, v);
  checkDidNotFit(out);
  await checkIngested(out);
});

test("a server that ignores SIGTERM is killed after --stop-timeout", async () => {
  const launchDir = logDirFor("sigterm");
  const out = join(dir, "run-sigterm");
  const t0 = Date.now();
  const r = await runCli(
    PROFILE,
    ["--model", model, "--server", server, "--ctx", "512", "--gen", "2", "--stop-timeout", "1", "--out", out],
    {
      env: { FAKE_SERVER_LOG_DIR: launchDir, FAKE_SERVER_IGNORE_SIGTERM: "1" },
    },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(Date.now() - t0 >= 1000, "waited for the stop timeout");
  const [l] = launches(launchDir);
  assert.equal(alive(l.pid), false);
  assert.match(
    readFileSync(join(out, "provenance", "profile.log"), "utf8"),
    /ignored SIGTERM for 1000 ms; killed with SIGKILL/,
  );
});

test("Ctrl-C during the fill stops the server, keeps what was written, exits 130", async () => {
  const launchDir = logDirFor("sigint");
  const out = join(dir, "run-sigint");
  const p = startCli(PROFILE, ["--model", model, "--server", server, "--ctx", "512,1k", "--gen", "2", "--out", out], {
    env: { FAKE_SERVER_LOG_DIR: launchDir, FAKE_SERVER_HANG_COMPLETION: "1" },
  });
  const log = join(out, "tiny-qwen3_ctx-512_k-f16_v-f16_fa-on", "llama.log");
  // the fake logs "model loaded" once /health answers 200; the runner then posts the fill, which hangs
  await waitFor(
    () => existsSync(log) && /processing task|model loaded/.test(readFileSync(log, "utf8")),
    20_000,
    "the server to be ready",
  );
  await new Promise((res) => setTimeout(res, 300));
  p.kill("SIGINT");
  const r = await p.done;
  assert.equal(r.code, 130, r.stderr);
  const ls = launches(launchDir);
  assert.equal(ls.length, 1, "no second configuration after Ctrl-C");
  assert.equal(alive(ls[0].pid), false);
  assert.match(readFileSync(join(out, "provenance", "profile.log"), "utf8"), /SIGINT: stopping/);
  const cj = JSON.parse(readFileSync(join(out, "tiny-qwen3_ctx-512_k-f16_v-f16_fa-on", "case.json"), "utf8"));
  assert.equal(cj.status, "failed");
  assert.equal(cj.message, "interrupted");
});

test("errors fail the step, not the machine: HTTP errors and a wrong cache type; no orphans; exit 1", async () => {
  const launchDir = logDirFor("errors");
  const o1 = join(dir, "run-http");
  const r1 = await runCli(PROFILE, ["--model", model, "--server", server, "--ctx", "512", "--gen", "2", "--out", o1], {
    env: { FAKE_SERVER_LOG_DIR: launchDir, FAKE_SERVER_COMPLETION_ERROR: "1" },
  });
  assert.equal(r1.code, 1);
  assert.match(
    JSON.parse(readFileSync(join(o1, "tiny-qwen3_ctx-512_k-f16_v-f16_fa-on", "case.json"), "utf8")).message,
    /\/completion answered HTTP 500/,
  );

  // the size line says f16 although q8_0 was asked: the step must fail, not be recorded as q8_0
  const o2 = join(dir, "run-type");
  const r2 = await runCli(
    PROFILE,
    ["--model", model, "--server", server, "--ctx", "512", "--kv", "q8_0", "--gen", "2", "--out", o2],
    {
      env: { FAKE_SERVER_LOG_DIR: launchDir, FAKE_SERVER_WRONG_TYPE: "f16" },
    },
  );
  assert.equal(r2.code, 1);
  const cj = JSON.parse(readFileSync(join(o2, "tiny-qwen3_ctx-512_k-q8_0_v-q8_0_fa-on", "case.json"), "utf8"));
  assert.equal(cj.status, "failed");
  assert.match(cj.message, /asked for K cache type q8_0, llama.cpp allocated f16/);
  for (const l of launches(launchDir)) assert.equal(alive(l.pid), false);
});

test("with nvidia-smi on the machine: an idle baseline and 100 ms samples per case, samplers stopped", async () => {
  const smiLaunches = logDirFor("smi");
  const out = join(dir, "run-smi");
  const r = await runCli(PROFILE, ["--model", model, "--server", server, "--ctx", "512", "--gen", "2", "--out", out], {
    env: {
      PATH: `${fakeNvidiaSmiDir(dir)}:${process.env.PATH}`,
      FAKE_SMI_LOG_DIR: smiLaunches,
      FAKE_SERVER_LOAD_MS: "400",
    },
  });
  assert.equal(r.code, 0, r.stderr);
  const idle = readFileSync(join(out, "baseline", "nvidia-smi-idle.csv"), "utf8").split("\n");
  assert.equal(idle[0], "timestamp, memory.used [MiB], memory.total [MiB]");
  assert.ok(idle.filter((l) => / 0 MiB, 81559 MiB$/.test(l)).length >= 5, "about 1 s of 100 ms samples");
  const c = join(out, "tiny-qwen3_ctx-512_k-f16_v-f16_fa-on");
  assert.ok(readFileSync(join(c, "nvidia-smi.csv"), "utf8").split("\n").length >= 4);
  assert.equal(readFileSync(join(c, "nvidia-smi-apps.csv"), "utf8"), "pid, process_name, used_gpu_memory [MiB]\n");
  const samplers = launches(smiLaunches).filter((l) => l.argv.includes("-lms"));
  assert.equal(samplers.length, 4, "two for the baseline, two for the case");
  for (const l of samplers) assert.equal(alive(l.pid), false, `nvidia-smi ${l.pid} still running`);
  const run = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
  assert.deepEqual(run.hardware.gpu, {
    name: "NVIDIA H100 80GB HBM3",
    memory_bytes: 81559 * 1048576,
    reserved_bytes: 480 * 1048576,
    driver: "580.159.04",
  });
  assert.deepEqual(run.measurement.idle_gpu_baseline.bytes, 0);
});
