/**
 * The largest context with a draft model (src/lib/engine/solve-draft.ts): the grid point where
 * target + draft (the draft's KV grows with the same n_ctx) fit and the next does not, checked with
 * the engine's own breakdowns and against maxContext of the target alone given the draft's bytes.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { computeBreakdown } from "../../../src/lib/engine/index.ts";
import { maxContext } from "../../../src/lib/engine/solve.ts";
import { draftAdds, maxContextWithDraft } from "../../../src/lib/engine/solve-draft.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";

const GiB = 1024 ** 3;
const arch = (id: string) =>
  ArchitectureSchema.parse(JSON.parse(readFileSync(join(REPO_ROOT, "data/models", `${id}.json`), "utf8")).architecture);
const target = arch("qwen3-32b");
const small = arch("qwen3-0.6b");

for (const [label, cfg, budget] of [
  ["CUDA, f16 KV, one sequence", { backend: "cuda", weights_ftype: "Q4_K_M" }, 24 * GiB],
  [
    "CUDA, q8_0 KV, 4 unified sequences",
    { backend: "cuda", weights_ftype: "Q4_K_M", type_k: "q8_0", type_v: "q8_0", n_seq: 4, kv_unified: true },
    26 * GiB,
  ],
  ["CPU, total memory", { backend: "cpu", weights_ftype: "Q4_K_M" }, 28 * GiB],
] as const) {
  test(`${label}: target + draft fit at the answer and not one step further`, () => {
    const config = RuntimeConfigSchema.parse({ n_ctx: 4096, ...cfg });
    const draftConfig = { ...config, type_k: "f16" as const, type_v: "f16" as const, weights_ftype: "Q8_0" };
    const b = { bytes: budget };
    const r = maxContextWithDraft(target, config, b, { arch: small, config: draftConfig });
    assert.ok(r && r.limited_by === "budget", "budget-limited");
    const pool = (x: { device: number; total: number }) => (config.backend === "cuda" ? x.device : x.total);
    const sumAt = (n: number) => {
      const t = computeBreakdown(target, { ...config, n_ctx: n }).total;
      const d = draftAdds(computeBreakdown(small, { ...draftConfig, n_ctx: n }));
      return pool({ device: t.device_bytes, total: t.bytes }) + pool(d);
    };
    assert.ok(sumAt(r.n_ctx) <= budget, "fits at n_ctx");
    assert.ok(sumAt(r.n_ctx + r.step) > budget, "n_ctx + step does not fit");
    // against the target alone: the draft's bytes at n_ctx and at the next step bracket the answer
    const d = (n: number) => pool(draftAdds(computeBreakdown(small, { ...draftConfig, n_ctx: n })));
    const alone = (bytes: number) => maxContext(target, config, { bytes }, { limit: target.context_length! })!.n_ctx;
    assert.ok(alone(budget - d(r.n_ctx)) >= r.n_ctx);
    assert.ok(alone(budget - d(r.n_ctx + r.step)) <= r.n_ctx);
    assert.ok(r.n_ctx < alone(budget), "the draft costs context");
    assert.equal(r.draft.kv.bytes, computeBreakdown(small, { ...draftConfig, n_ctx: r.n_ctx }).kv.bytes);
  });
}

test("nothing fits → null; a roomy budget stops at the trained context", () => {
  const config = RuntimeConfigSchema.parse({ n_ctx: 4096, backend: "cuda", weights_ftype: "Q4_K_M" });
  const side = { arch: small, config: { ...config, weights_ftype: "Q8_0" } };
  assert.equal(maxContextWithDraft(target, config, { bytes: 4 * GiB }, side), null);
  const r = maxContextWithDraft(target, config, { bytes: 400 * GiB }, side, { limit: 40960 });
  assert.equal(r?.n_ctx, 40960);
  assert.equal(r?.limited_by, "limit");
});

test("npm run calc -- --budget … -md <preset>: the largest context with the draft", async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [
      join(REPO_ROOT, "scripts/calc.ts"),
      "--model",
      "qwen3-32b",
      "--weights",
      "Q4_K_M",
      "--budget",
      "24GiB",
      "-md",
      "qwen3-0.6b",
      "--json",
    ],
    { cwd: REPO_ROOT },
  );
  const j = JSON.parse(stdout) as {
    draft_largest_context: { n_ctx: number; without: number; limited_by: string };
    draft: Record<string, unknown>;
  };
  assert.equal(j.draft_largest_context.limited_by, "budget");
  assert.ok(j.draft_largest_context.n_ctx < j.draft_largest_context.without);
  assert.equal(j.draft.side, undefined, "the solver's inputs stay out of --json");
});
