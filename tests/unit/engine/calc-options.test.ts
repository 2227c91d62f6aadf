/**
 * `npm run calc` option parsing (scripts/calc/options.ts): command-line order, negative values,
 * one-line usage errors.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseCalcArgs, UsageError } from "../../../scripts/calc/options.ts";

test("options apply in command-line order: the later one wins", () => {
  const a = parseCalcArgs(["--kv", "q8_0", "--ctk", "f16", "--unified", "--no-unified"]);
  assert.equal(a.config.type_k, "f16");
  assert.equal(a.config.type_v, "q8_0");
  assert.equal(a.config.kv_unified, false);
  const b = parseCalcArgs(["--no-unified", "--unified"]);
  assert.equal(b.config.kv_unified, true);
});

test("a negative value after a space is the option's value (--ngl -1)", () => {
  assert.equal(parseCalcArgs(["--ngl", "-1"]).config.n_gpu_layers, -1);
  assert.equal(parseCalcArgs(["--ngl=-1"]).config.n_gpu_layers, -1);
  assert.throws(() => parseCalcArgs(["--ngl", "-2"]), /--ngl -2: expected -1/);
});

test("--engine and --revision combine; -h is --help", () => {
  assert.deepEqual(parseCalcArgs(["--revision", "2025-10-28"]).config.engine, {
    name: "llama.cpp",
    revision: "2025-10-28",
  });
  assert.deepEqual(parseCalcArgs(["--engine", "ollama"]).config.engine, { name: "ollama" });
  assert.equal(parseCalcArgs(["-h"]).help, true);
});

test("malformed command lines are usage errors naming the option", () => {
  const cases: [string[], RegExp][] = [
    [["--bogus"], /unknown option "--bogus"/],
    [["--ctx"], /--ctx needs a value/],
    [["--json=yes"], /--json takes no value/],
    [["stray"], /unexpected argument "stray"/],
    [["--pool", "gpu"], /--pool "gpu": expected one of device, total, host/],
    [["--budget", "lots"], /^--budget: /],
  ];
  for (const [argv, re] of cases) {
    assert.throws(
      () => parseCalcArgs(argv),
      (e: unknown) => e instanceof UsageError && re.test(e.message) && !e.message.includes("\n"),
      argv.join(" "),
    );
  }
});
