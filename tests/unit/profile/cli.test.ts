/** The `npm run profile` command line: help, usage errors (exit 2), bad inputs (exit 1), --dry-run. */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { main } from "../../../scripts/profile/main.ts";
import { PROFILE, runCli, tmp, writeTinyModel } from "./run-cli.ts";

/** main() in this process, its output captured (for the paths that never start llama.cpp). */
async function inProcess(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (s) => (out += s), err: (s) => (err += s) });
  return { code, out, err };
}

let dir: string;
let model: string;

before(async () => {
  dir = tmp("cli");
  model = await writeTinyModel(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test("--help prints the usage and exits 0", async () => {
  const r = await runCli(PROFILE, ["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^Usage: npm run profile -- --model <file\.gguf>/);
  assert.match(r.stdout, /--kv <list>/);
});

test("usage errors exit 2 and name the option", async () => {
  // through the real entry point once: the exit status reaches the shell
  const cli = await runCli(PROFILE, ["--model", model, "--kv", "q8_0/turbo4"]);
  assert.equal(cli.code, 2);
  assert.match(cli.stderr, /need the TurboQuant fork: add --server[\s\S]*Run with --help/);
  const cases: [string[], RegExp][] = [
    [[], /--model <file\.gguf> is required/],
    [["--model", model, "--kv", "Q8_0"], /write it lower-case: q8_0/],
    [["--model", model, "--frobnicate"], /Unknown option '--frobnicate'/],
    [
      ["--model", model, "--ctx", "512", "--fill", "500"],
      /--fill: 500 tokens \+ 16 generated exceed the 512-token context/,
    ],
    [["--model", model, "--ctx", "2k", "--parallel", "3"], /2048 is not divisible by --parallel 3/],
  ];
  for (const [args, re] of cases) {
    const r = await inProcess(args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, re);
  }
});

test("a missing or invalid model file exits 1 naming the file", async () => {
  const missing = await runCli(PROFILE, ["--model", join(dir, "nope.gguf"), "--dry-run"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /--model .*nope\.gguf: cannot open \(ENOENT\)/);
  const junk = join(dir, "junk.gguf");
  writeFileSync(junk, "this is not a GGUF file at all, just some text\n".repeat(4));
  const bad = await runCli(PROFILE, ["--model", junk, "--dry-run"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /junk\.gguf/);
});

test("--dry-run prints the plan with the engine's KV per step, runs nothing, writes nothing", async () => {
  const out = join(dir, "dry");
  const r = await runCli(PROFILE, [
    "--model",
    model,
    "--ctx",
    "512,2k",
    "--kv",
    "f16,q8_0/q4_0",
    "--gpu",
    "off",
    "--dry-run",
    "--out",
    out,
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!existsSync(out), "a dry run must not create the output folder");
  assert.match(r.stdout, /Dry run: nothing was run\./);
  // KV by hand: 2 × 4 layers × cells × row; rows of 128 values: f16 256 B, q8_0 136 B, q4_0 72 B
  const want = [
    ["tiny-qwen3_ctx-512_k-f16_v-f16_fa-on", "1.00 MiB"], // 4·512·(256+256) = 1,048,576
    ["tiny-qwen3_ctx-512_k-q8_0_v-q4_0_fa-on", "0.41 MiB"], // 4·512·(136+72) = 425,984 = 0.40625
    ["tiny-qwen3_ctx-2048_k-f16_v-f16_fa-on", "4.00 MiB"],
    ["tiny-qwen3_ctx-2048_k-q8_0_v-q4_0_fa-on", "1.62 MiB"], // 1,703,936 B = 1.625 → ties to even
  ];
  for (const [name, kv] of want) {
    const row = r.stdout.split("\n").find((l) => l.includes(` ${name} `));
    assert.ok(row, `${name} in the plan`);
    assert.ok(row.includes(kv), `${name}: ${row}`);
    assert.match(row, /yes$/);
  }
});

test("--dry-run marks steps predicted not to fit; an explicit non-empty --out is refused", async () => {
  // 64M cells of f16 KV for this model are 128 GiB: no test machine has that free
  const r = await runCli(PROFILE, ["--model", model, "--ctx", "64M", "--gpu", "off", "--dry-run"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /tiny-qwen3_ctx-67108864_k-f16_v-f16_fa-on .*131072\.00 MiB.*NO \(skip\)/);
  assert.match(r.stdout, /1 step\(s\) predicted not to fit would be skipped \(--force runs them anyway\)/);

  const used = join(dir, "used");
  mkdirSync(used);
  writeFileSync(join(used, "keep.txt"), "earlier work\n");
  const o = await runCli(PROFILE, ["--model", model, "--ctx", "512", "--gpu", "off", "--out", used]);
  assert.equal(o.code, 1);
  assert.match(o.stderr, /--out .*used: folder exists and is not empty/);
});
