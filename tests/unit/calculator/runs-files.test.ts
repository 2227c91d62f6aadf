/**
 * Measured runs served per architecture (runs/<key>.json): every run sits in the file of each arch
 * it can match under (runMatches: its preset model's arch, its own architecture's arch).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import path from "node:path";
import { ArchitectureSchema, type Architecture } from "../../../src/schemas/architecture.ts";
import { geometry, runMatches } from "../../../src/lib/calculator/measured.ts";
import {
  catalogFile,
  groupRunsByArch,
  runsFileKey,
  type MeasuredRunOption,
  type ModelOption,
} from "../../../src/lib/calculator/catalog.ts";
import { loadCatalog, REPO } from "./load-catalog.ts";

const model = (id: string, arch: string): Pick<ModelOption, "id" | "architecture"> => ({
  id,
  architecture: { arch } as Architecture,
});
const run = (id: string, modelId: string | null, arch: string | null): MeasuredRunOption => ({
  id,
  title: id,
  date: null,
  modelId,
  architecture: arch === null ? null : ({ arch } as Architecture),
  arch,
  ftype: null,
  weightsBytes: null,
  engine: "llama.cpp",
  profile: null,
  backend: null,
  build: "test",
  points: [],
});
const ids = (m: Map<string, MeasuredRunOption[]>) =>
  Object.fromEntries([...m].map(([k, v]) => [k, v.map((r) => r.id)]));

test("runs are grouped by the arch of their preset model and of their own architecture", () => {
  const models = [model("qwen3-14b", "qwen3"), model("gemma-3-27b", "gemma3")];
  const runs = [
    run("a", "qwen3-14b", null), // preset only → qwen3
    run("b", null, "gemma3"), // inline architecture only → gemma3
    run("c", "qwen3-14b", "llama"), // preset arch and a different inline arch → both files
    run("d", "not-in-catalog", null), // can match nothing → no file
    run("e", "not-in-catalog", "qwen3"), // unknown preset, inline arch → qwen3
    run("f", "gemma-3-27b", "gemma3"), // both the same → once
  ];
  assert.deepEqual(ids(groupRunsByArch(runs, models)), {
    gemma3: ["b", "f"],
    llama: ["c"],
    qwen3: ["a", "c", "e"],
  });
  // Keys come out sorted (deterministic build output).
  assert.deepEqual([...groupRunsByArch(runs, models).keys()], ["gemma3", "llama", "qwen3"]);
});

test("file keys are path-safe; names that collide share a file", () => {
  assert.equal(runsFileKey("nemotron_h_moe"), "nemotron_h_moe");
  assert.equal(runsFileKey("command-r"), "command-r");
  assert.equal(runsFileKey("a/b.c"), "a_b_c");
  assert.deepEqual(ids(groupRunsByArch([run("x", null, "a/b"), run("y", null, "a.b")], [])), { a_b: ["x", "y"] });
});

test("catalog.json carries no runs, only the keys of the runs files", () => {
  const c = loadCatalog();
  const file = catalogFile(c);
  assert.equal("runs" in file, false);
  assert.deepEqual(file.runKeys, [...groupRunsByArch(c.runs, c.models).keys()]);
  assert.deepEqual(file.models, c.models);
  // The ingested H100 run names qwen3-14b (arch qwen3): it must be reachable from that model.
  const qwen3 = c.models.find((m) => m.id === "qwen3-14b")!;
  const key = runsFileKey(qwen3.architecture.arch);
  assert.ok(file.runKeys.includes(key));
  const inFile = groupRunsByArch(c.runs, c.models).get(key)!;
  for (const r of c.runs.filter((x) => x.modelId === "qwen3-14b")) assert.ok(inFile.includes(r));
});

test("every run that matches a catalog model is in that model's arch file", () => {
  const c = loadCatalog([path.join(REPO, "tests/fixtures/calculator/run-qwen3.5-27b-fixture.json")]);
  const groups = groupRunsByArch(c.runs, c.models);
  let matched = 0;
  for (const m of c.models) {
    const p = ArchitectureSchema.safeParse(m.architecture);
    if (!p.success) continue;
    const geo = geometry(p.data);
    const file = groups.get(runsFileKey(p.data.arch)) ?? [];
    for (const r of c.runs) {
      const ra = r.architecture ? ArchitectureSchema.safeParse(r.architecture) : null;
      if (!runMatches(r, m.id, geo, ra?.success ? ra.data : null)) continue;
      matched++;
      assert.ok(file.includes(r), `${r.id} matches ${m.id} but is not in ${runsFileKey(p.data.arch)}.json`);
    }
  }
  assert.ok(matched >= 2, `only ${matched} matches: the check would prove nothing`);
});
