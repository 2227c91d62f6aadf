/**
 * llama-quantize's tensor order (non-layer tensors first, then by layer, then by name): the
 * builder's bucketed sort (src/lib/engine/weights/quant-rules.ts) gives `quantizeOrder`'s order
 * for every catalog preset, and for names whose layer numbers are out of the ordinary.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCatalog } from "../../../scripts/catalog/validate.ts";
import { buildTensorTable, loaderTensors } from "../../../src/lib/engine/weights.ts";
import { quantizeOrder, quantizeTable } from "../../../src/lib/engine/weights/quant-rules.ts";
import { DATA_DIR } from "../catalog/fixture.ts";

const M = { arch: "llama", nLayerAll: 2, nExpert: 0, nGqa: 1, is70B: false };

test("every preset's quantized table is in quantizeOrder's order", () => {
  const { catalog } = loadCatalog(DATA_DIR);
  let tables = 0;
  for (const model of catalog.models) {
    let source;
    try {
      source = loaderTensors(model.architecture);
    } catch {
      continue; // no builder for this architecture
    }
    const want = [...source].sort(quantizeOrder).map((t) => t.name);
    assert.deepEqual(
      buildTensorTable(model.architecture, "Q4_K_M").map((t) => t.name),
      want,
      model.id,
    );
    tables++;
  }
  assert.ok(tables > 70, `${tables} tables`);
});

test("odd layer numbers sort as quantizeOrder sorts them", () => {
  const names = [
    "blk.10.ffn_up.weight",
    "output.weight",
    "blk.2.attn_q.weight",
    "blk.02.attn_k.weight",
    "blk.x.attn_q.weight",
    "blk..attn_q.weight",
    "blk.99999999999.attn_q.weight",
    "blk.2.attn_k.weight",
    "token_embd.weight",
  ];
  const source = names.map((name) => ({ name, dims: [64, 64], type: "f32" as const }));
  const got = quantizeTable(M, source, "F32", { imatrix: false }).map((t) => t.name);
  assert.deepEqual(
    got,
    [...source].sort(quantizeOrder).map((t) => t.name),
  );
  const small = source.filter((t) => !t.name.startsWith("blk.9999"));
  const got2 = quantizeTable(M, small, "F32", { imatrix: false }).map((t) => t.name);
  assert.deepEqual(
    got2,
    [...small].sort(quantizeOrder).map((t) => t.name),
  );
});
