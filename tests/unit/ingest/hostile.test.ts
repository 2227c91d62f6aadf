/**
 * Hostile input: every case must fail with a clear error (file, line or JSON path, value,
 * expectation), exit 1, and leave the data dir byte-identical. All on temporary data dirs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { ingest } from "../../../scripts/ingest/index.ts";
import { H100, NODE, REPO, rm, runCli, snapshot, tempDataDir, tempDir } from "./helpers.ts";

const MiB = 1048576;
const LOG_2048 = join(H100, "qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on", "llama.log");

/** A valid run JSON document to break in different ways. */
function runDoc(over: Record<string, unknown> = {}, point: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "hostile",
    title: "hostile",
    model: { preset: "qwen3-14b" },
    runtime: { engine: "llama.cpp" },
    points: [
      {
        id: "p",
        config: { n_ctx: 2048, type_k: "f16", type_v: "f16" },
        measured: { kv_bytes: { bytes: 335544320, source: { tool: "reported" } } },
        ...point,
      },
    ],
    ...over,
  };
}

/** Ingest `inputs`; assert failure matching `pattern`, and that the data dir did not change. */
async function rejects(inputs: string[], pattern: RegExp, data = tempDataDir()): Promise<string> {
  try {
    const before = snapshot(data);
    const rep = await ingest(inputs, { dataDir: data });
    const text = rep.errors.map((e) => e.format()).join("\n");
    assert.equal(rep.ok, false, "must fail");
    assert.match(text, pattern);
    assert.deepEqual(snapshot(data), before, "data dir must be byte-identical");
    return text;
  } finally {
    rm(data);
  }
}

function write(dir: string, name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

test("truncated JSON: names the file and the line", async () => {
  const tmp = tempDir();
  try {
    const text = JSON.stringify(runDoc(), null, 2);
    const f = write(tmp, "trunc.json", text.slice(0, Math.floor(text.length / 2)));
    const msg = await rejects([f], /trunc\.json:\d+: invalid JSON/);
    assert.match(msg, /expected complete, valid JSON/);
  } finally {
    rm(tmp);
  }
});

test("wrong types: JSON path, value and expected type", async () => {
  const tmp = tempDir();
  try {
    const msg = await rejects(
      [write(tmp, "types.json", JSON.stringify(runDoc({ title: 5 })))],
      /types\.json: title: .*got 5; expected string/,
    );
    assert.ok(msg.length > 0);
    await rejects(
      [write(tmp, "types2.json", JSON.stringify(runDoc({}, { config: { n_ctx: "lots" } })))],
      /points\[0\]\.config\.n_ctx: .*"lots"/,
    );
    await rejects(
      [write(tmp, "types3.json", JSON.stringify(runDoc({}, { config: { n_ctx: 2048, type_k: "q9_9" } })))],
      /points\[0\]\.config\.type_k: .*got "q9_9"; expected one of "f32", "f16"/,
    );
  } finally {
    rm(tmp);
  }
});

test("negative, NaN, Infinity and 1e400 values", async () => {
  const tmp = tempDir();
  try {
    await rejects(
      [
        write(
          tmp,
          "neg.json",
          JSON.stringify(runDoc({}, { measured: { kv_bytes: { bytes: -5, source: { tool: "reported" } } } })),
        ),
      ],
      /points\[0\]\.measured\.kv_bytes\.bytes: .*got -5; expected ≥ 0/,
    );
    const nan = JSON.stringify(runDoc()).replace("335544320", "NaN");
    await rejects([write(tmp, "nan.json", nan)], /nan\.json:1: invalid JSON/);
    const inf = JSON.stringify(runDoc()).replace("335544320", "Infinity");
    await rejects([write(tmp, "inf.json", inf)], /inf\.json:1: invalid JSON/);
    const big = JSON.stringify(runDoc()).replace("335544320", "1e400");
    await rejects(
      [write(tmp, "big.json", big)],
      /big\.json: points\[0\]\.measured\.kv_bytes\.bytes: number out of range \(got Infinity; expected a finite number\)/,
    );
    const frac = JSON.stringify(runDoc()).replace("335544320", "3355.5");
    await rejects([write(tmp, "frac.json", frac)], /kv_bytes\.bytes: .*expected int/);
  } finally {
    rm(tmp);
  }
});

test("unknown and ambiguous units", async () => {
  const tmp = tempDir();
  try {
    const bad = (v: string) =>
      JSON.stringify(runDoc({}, { measured: { kv_bytes: { bytes: v, source: { tool: "reported" } } } }));
    await rejects(
      [write(tmp, "u1.json", bad("320 MiBs"))],
      /u1\.json: points\[0\]\.measured\.kv_bytes\.bytes: unknown unit "MiBs".*got "320 MiBs"/,
    );
    await rejects([write(tmp, "u2.json", bad("5K"))], /u2\.json: .*unknown unit "K"/);
    await rejects([write(tmp, "u3.json", bad("lots"))], /u3\.json: .*cannot read "lots" as a size/);
  } finally {
    rm(tmp);
  }
});

test("__proto__ / constructor keys are refused and pollute nothing", async () => {
  const tmp = tempDir();
  try {
    const doc = `{"__proto__": {"polluted": true}, ${JSON.stringify(runDoc()).slice(1)}`;
    await rejects(
      [write(tmp, "proto.json", doc)],
      /proto\.json: __proto__: forbidden key \(got "__proto__"; expected a schema field name\)/,
    );
    const nested = JSON.stringify(runDoc()).replace('"kv_bytes"', '"constructor": {"x": 1}, "kv_bytes"');
    await rejects([write(tmp, "ctor.json", nested)], /points\[0\]\.measured\.constructor: forbidden key/);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  } finally {
    rm(tmp);
  }
});

test("duplicate contexts with different values", async () => {
  const tmp = tempDir();
  try {
    const p2 = {
      id: "p2",
      config: { n_ctx: 2048, type_k: "f16", type_v: "f16" },
      measured: { kv_bytes: { bytes: 400 * MiB, source: { tool: "reported" } } },
    };
    const doc = runDoc();
    (doc.points as unknown[]).push(p2);
    await rejects(
      [write(tmp, "dup.json", JSON.stringify(doc))],
      /duplicate context with different values: points "p" and "p2".*kv_bytes 335544320 vs 419430400/,
    );
  } finally {
    rm(tmp);
  }
});

test("binary garbage, an empty file, an unknown tool's log, a llama.cpp log without KV lines", async () => {
  const tmp = tempDir();
  try {
    const bin = Buffer.alloc(4096);
    for (let i = 0; i < bin.length; i++) bin[i] = (i * 7919 + 13) % 256;
    await rejects([write(tmp, "garbage.bin", bin)], /garbage\.bin: binary data/);
    await rejects([write(tmp, "empty.log", "")], /empty\.log: empty file/);
    await rejects(
      [write(tmp, "nginx.log", '127.0.0.1 - - [10/Oct/2026:13:55:36 +0000] "GET / HTTP/1.1" 200 612\n'.repeat(50))],
      /nginx\.log: cannot tell which tool wrote this output/,
    );
    const head = readFileSync(LOG_2048, "utf8").split("\n").slice(0, 100).join("\n");
    await rejects([write(tmp, "no-kv.log", head)], /no-kv\.log: no measured point found/);
    await rejects([join(tmp, "does-not-exist.log")], /does-not-exist\.log: no such file or folder/);
  } finally {
    rm(tmp);
  }
});

test("a symlink pointing outside the input folder", async () => {
  const tmp = tempDir();
  try {
    const dir = join(tmp, "run");
    mkdirSync(dir);
    copyFileSync(LOG_2048, join(dir, "llama.log"));
    symlinkSync(join(REPO, "package.json"), join(dir, "evil.log"));
    await rejects([dir], /run\/evil\.log: symlink points outside the input folder/);
    // a link inside the folder is fine
    rm(join(dir, "evil.log"));
    symlinkSync(join(dir, "llama.log"), join(dir, "alias.log"));
    const data = tempDataDir();
    try {
      const rep = await ingest([dir], { dataDir: data, check: false });
      assert.equal(rep.ok, true, rep.errors.map((e) => e.format()).join("\n"));
    } finally {
      rm(data);
    }
  } finally {
    rm(tmp);
  }
});

test("all-or-nothing: one bad input among good ones writes nothing", async () => {
  const tmp = tempDir();
  try {
    const good = write(tmp, "good.json", JSON.stringify(runDoc({ id: "good-one" })));
    const bad = write(tmp, "bad.json", JSON.stringify(runDoc({ id: "bad-one", title: "" })));
    await rejects([good, LOG_2048, bad], /bad\.json: title: /);
  } finally {
    rm(tmp);
  }
});

test("a 200 MB log is parsed streamed with bounded memory", async () => {
  const tmp = tempDir();
  const data = tempDataDir();
  try {
    const lines = readFileSync(LOG_2048, "utf8").split("\n");
    const start = lines.findIndex((l) => l.includes("llama_perf_context_print"));
    const head = lines.slice(0, start).join("\n") + "\n";
    const tail = lines.slice(start).join("\n");
    const filler = [
      "0.05.123.456 I slot update_slots: id  0 | task 1234 | kv cache rm [4096, end)\n",
      "0.05.123.457 I slot update_slots: id  0 | task 1234 | prompt processing progress, n_past = 4096, n_tokens = 512, progress = 0.5\n",
      "0.05.123.458 I srv  log_server_r: request: POST /completion 127.0.0.1 200\n",
      "0.05.123.459 I slot      release: id  0 | task 1234 | stop processing: n_past = 8000, truncated = 0\n",
    ].join("");
    const chunk = filler.repeat(Math.ceil(MiB / filler.length));
    const log = join(tmp, "big-llama-server.log");
    const fd = openSync(log, "w");
    writeSync(fd, head);
    let size = Buffer.byteLength(head);
    while (size < 200 * 1e6) size += writeSync(fd, chunk);
    writeSync(fd, tail);
    closeSync(fd);
    const out = await new Promise<string>((res, rej) => {
      const p = spawn(NODE, ["--expose-gc", join(REPO, "tests", "unit", "ingest", "stream-probe.ts"), log, data], {
        cwd: REPO,
      });
      let s = "";
      let e = "";
      p.stdout.on("data", (d) => (s += d));
      p.stderr.on("data", (d) => (e += d));
      p.on("close", (code) => (code === 0 ? res(s) : rej(new Error(e))));
    });
    const r = JSON.parse(out) as {
      ok: boolean;
      errors: string[];
      points: number;
      bytes: number;
      kvMiB: number;
      heapGrowth: number;
      rssGrowth: number;
      parseMBps: number;
    };
    assert.equal(r.ok, true, r.errors.join("\n"));
    assert.ok(r.bytes > 200e6);
    assert.equal(r.points, 1);
    assert.equal(r.kvMiB, 320);
    // flat memory: a 200 MB file must not be held; the whole ingest stays within a few chunks
    assert.ok(r.heapGrowth < 48 * MiB, `heap grew by ${(r.heapGrowth / MiB).toFixed(1)} MiB`);
    assert.ok(r.rssGrowth < 160 * MiB, `RSS grew by ${(r.rssGrowth / MiB).toFixed(1)} MiB`);
    const run = readdirSync(join(data, "runs"))[0].replace(/\.json$/, "");
    assert.ok(existsSync(join(data, "raw", run, "big-llama-server.log.gz")), "stored gzipped above the cap");
    process.stdout.write(
      `# 200 MB log: parse ${r.parseMBps.toFixed(0)} MB/s, heap +${(r.heapGrowth / MiB).toFixed(1)} MiB, RSS +${(r.rssGrowth / MiB).toFixed(1)} MiB\n`,
    );
  } finally {
    rm(tmp);
    rm(data);
  }
});

test("two ingests racing on one data dir lose nothing; a stale lock is broken", async () => {
  const data = tempDataDir();
  const tmp = tempDir();
  try {
    const a = join(H100, "qwen3-14b-q4km_ctx-2048_k-f16_v-f16_fa-on", "llama.log");
    const b = join(H100, "qwen3-14b-q4km_ctx-8192_k-f16_v-f16_fa-on", "llama.log");
    const [ra, rb] = await Promise.all([
      runCli(["--no-check", "--data-dir", data, a]),
      runCli(["--no-check", "--data-dir", data, b]),
    ]);
    assert.equal(ra.code, 0, ra.stderr);
    assert.equal(rb.code, 0, rb.stderr);
    assert.equal(readdirSync(join(data, "runs")).length, 2);
    assert.equal(readdirSync(join(data, "raw")).length, 2);
    assert.ok(!existsSync(join(data, ".ingest.lock")));
    assert.deepEqual(
      readdirSync(data).filter((n) => n.startsWith(".ingest-staging")),
      [],
    );
    // the same input twice at once: one creates, the other finds it unchanged
    const c = join(H100, "qwen3-14b-q4km_ctx-32768_k-f16_v-f16_fa-on", "llama.log");
    const both = await Promise.all([
      runCli(["--json", "--no-check", "--data-dir", data, c]),
      runCli(["--json", "--no-check", "--data-dir", data, c]),
    ]);
    const actions = both.map((r) => JSON.parse(r.stdout).runs[0].action).sort();
    assert.deepEqual(actions, ["create", "unchanged"]);
    assert.equal(readdirSync(join(data, "runs")).length, 3);
    // a lock left by a dead process does not block
    writeFileSync(join(data, ".ingest.lock"), "999999 deadbeef\n");
    const r = await runCli([
      "--no-check",
      "--data-dir",
      data,
      join(H100, "qwen3-14b-q4km_ctx-65536_k-f16_v-f16_fa-on", "llama.log"),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!existsSync(join(data, ".ingest.lock")));
  } finally {
    rm(data);
    rm(tmp);
  }
});
