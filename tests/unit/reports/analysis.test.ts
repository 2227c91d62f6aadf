import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import {
  breakdownFor,
  claimRows,
  effectiveKv,
  kvConfigLabel,
  kvPerTokenF16,
  kvTable,
  verdict,
  verdictTable,
} from "../../../src/lib/reports/analysis.ts";
import type { Breakdown } from "../../../src/schemas/breakdown.ts";
import { ModelSchema } from "../../../src/schemas/model.ts";
import { REPO_ROOT } from "../../../scripts/lib/repo-root.ts";

const qwen35 = ModelSchema.parse(
  JSON.parse(readFileSync(path.join(REPO_ROOT, "data/models/qwen3.5-27b.json"), "utf8")),
);
const arch = qwen35.architecture;
const fork03 = { engine: { name: "turboquant", revision: "2026-03" }, backend: "metal" } as const;
const fork05 = { engine: { name: "turboquant", revision: "2026-05" }, backend: "metal" } as const;

// Qwen3.5-27B: 16 full-attention layers, 4 KV heads × 256 → K and V rows of 1024 values per layer.
// f16: 1024 × 2 B × 2 (K, V) × 16 layers = 65,536 B per cell.
test("f16 KV of Qwen3.5-27B is 64 KiB per token: 16 layers × 2 × 1024 × 2 B", () => {
  const b = breakdownFor(arch, 32768, { type_k: "f16", type_v: "f16" }, fork03);
  assert.equal(b.kv.bytes, 65_536 * 32_768);
  const per = kvPerTokenF16(arch, fork03);
  assert.equal(per.engine, 65_536);
  // A formula that puts a cache on all 64 layers: 64 × 4 × (256 + 256) × 2 B = 262,144 B.
  assert.equal(per.naiveAllLayers, 262_144);
});

test("q8_0 K + turbo4 V: (1024 × 34/32 + 1024 × 68/128) B × 16 layers per cell", () => {
  const rows = kvTable(arch, [{ type_k: "q8_0", type_v: "turbo4" }], [32768], fork03);
  assert.equal(rows[0].cells[0].kvBytes, (1088 + 544) * 16 * 32768);
  // 48 gated-delta-net layers × 3,268,608 B (docs/memory-model.md#recurrent-state) = 156,893,184 B.
  assert.equal(rows[0].recurrentBytes, 156_893_184);
});

test("turbo3/turbo3: turbo3 K on the March 2026 fork, q8_0 K since the auto-asymmetric block (GQA 24:4 = 6 at layer 0)", () => {
  const kv = { type_k: "turbo3", type_v: "turbo3" } as const;
  const march = breakdownFor(arch, 32768, kv, fork03);
  const may = breakdownFor(arch, 32768, kv, fork05);
  // March 2026 (before 348fb77cc, 2026-04-09): K and V turbo3 = 14 B per 32 values → 448 B rows.
  assert.equal(march.kv.bytes, (448 + 448) * 16 * 32768);
  const m = effectiveKv(march, kv);
  assert.equal(m.effective, "turbo3");
  assert.equal(m.changes.length, 0);
  // 69d8e4be: q8_0 K (1088 B) + turbo3 V at 50 B per 128 values (400 B).
  assert.equal(may.kv.bytes, (1088 + 400) * 16 * 32768);
  const eff = effectiveKv(may, kv);
  assert.equal(eff.requested, "turbo3");
  assert.equal(eff.effective, "q8_0 K + turbo3 V");
  assert.ok(eff.changes.length >= 1, "the auto-asymmetric change is reported");
});

test("labels name symmetric pairs once and asymmetric pairs by half", () => {
  assert.equal(kvConfigLabel({ type_k: "f16", type_v: "f16" }), "f16");
  assert.equal(kvConfigLabel({ type_k: "q8_0", type_v: "turbo4" }), "q8_0 K + turbo4 V");
});

function fakeTotals(device: number, host: number): Breakdown {
  return { total: { device_bytes: device, host_bytes: host, bytes: device + host } } as unknown as Breakdown;
}

test("verdict: fits with ≥ 10 % headroom, tight below, does not fit above the budget", () => {
  const budget = { bytes: 1000, pool: "total" as const };
  assert.equal(verdict(fakeTotals(800, 100), budget), "fits"); // 900: 10 % headroom exactly
  assert.equal(verdict(fakeTotals(850, 100), budget), "tight"); // 950
  assert.equal(verdict(fakeTotals(900, 100), budget), "tight"); // 1000: nothing left, still fits
  assert.equal(verdict(fakeTotals(900, 101), budget), "does-not-fit");
});

test("verdict: a device limit (Metal working set) also binds", () => {
  const budget = { bytes: 1000, pool: "total" as const, device_limit_bytes: 600 };
  assert.equal(verdict(fakeTotals(601, 0), budget), "does-not-fit");
  assert.equal(verdict(fakeTotals(580, 0), budget), "tight");
  assert.equal(verdict(fakeTotals(500, 0), budget), "fits");
});

test("verdict table: totals grow with context and weights grow with the ftype", () => {
  const rows = verdictTable(
    arch,
    ["Q4_K_M", "Q8_0"],
    [{ type_k: "f16", type_v: "f16" }],
    [8192, 131072],
    { bytes: 27e9, pool: "total" },
    fork03,
  );
  assert.equal(rows.length, 2);
  for (const r of rows) assert.ok(r.cells[1].totalBytes > r.cells[0].totalBytes);
  assert.ok(rows[1].cells[0].weightsBytes > rows[0].cells[0].weightsBytes);
  // KV difference between 8K and 128K at f16 is exactly 65,536 B × (131072 − 8192).
  assert.equal(rows[0].cells[1].kvBytes - rows[0].cells[0].kvBytes, 65_536 * (131072 - 8192));
});

test("claim rows: the K-only and V-only claims compare with the engine's K and V halves", () => {
  const rows = claimRows(arch, fork03);
  const k = rows.find((r) => r.claim.id === "asym-32k-k")!;
  const v = rows.find((r) => r.claim.id === "asym-32k-v")!;
  assert.equal(k.engineBytes, 1088 * 16 * 32768);
  assert.equal(v.engineBytes, 544 * 16 * 32768);
});
