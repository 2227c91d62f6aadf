/**
 * The runtime weights from per-table sums (src/lib/engine/table-sums.ts) equal the
 * tensor-by-tensor placement they replace (kept here as the oracle): every catalog preset's
 * Q4_K_M table on CUDA, Metal and the CPU, all, none and part of the layers offloaded, with
 * llama.cpp's current rules (NextN/MTP layers not loaded) and an older revision.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadCatalog } from "../../../scripts/catalog/validate.ts";
import { computeWeights } from "../../../src/lib/engine/runtime-weights.ts";
import { placement } from "../../../src/lib/engine/offload.ts";
import {
  allocBytes,
  buildTensorTable,
  isInputTensor,
  tensorBytes,
  tensorLayer,
} from "../../../src/lib/engine/weights.ts";
import type { Architecture } from "../../../src/schemas/architecture.ts";
import type { RuntimeConfig } from "../../../src/schemas/runtime-config.ts";
import type { TensorTable } from "../../../src/schemas/tensor-table.ts";
import { cfg } from "../../helpers/engine.ts";
import { DATA_DIR } from "../catalog/fixture.ts";

/** Device and host bytes, tensor by tensor (the loop table-sums.ts replaced). */
function oracle(arch: Architecture, config: RuntimeConfig, tensors: TensorTable): [number, number, number] {
  const place = placement(arch.block_count, config);
  const kind = config.backend === "cuda" ? "cuda" : config.backend === "metal" ? "metal" : "host";
  const mtpFrom =
    config.engine.name === "llama.cpp" && config.engine.revision === "current"
      ? arch.block_count - arch.nextn_predict_layers
      : Infinity;
  let dev = 0;
  let host = 0;
  let total = 0;
  let hasOutput = false;
  let embd = null;
  for (const t of tensors) {
    total += tensorBytes(t);
    if (t.name === "output.weight") hasOutput = true;
    if (t.name === "token_embd.weight") embd = t;
    const il = tensorLayer(t.name);
    if (il !== null && il >= mtpFrom) continue;
    const onDev = isInputTensor(t.name) ? false : il === null ? place.outputOnDevice : place.onDevice(il);
    if (onDev) dev += allocBytes(t, kind);
    else host += allocBytes(t, "host");
  }
  if (!hasOutput && embd && place.outputOnDevice) dev += allocBytes(embd, kind);
  return [dev, host, total];
}

test("weights from per-table sums equal the tensor-by-tensor placement", () => {
  const { catalog } = loadCatalog(DATA_DIR);
  let compared = 0;
  for (const model of catalog.models) {
    const a = model.architecture;
    let tensors: TensorTable;
    try {
      tensors = buildTensorTable(a, "Q4_K_M");
    } catch {
      continue; // no builder for this architecture
    }
    for (const backend of ["cuda", "metal", "cpu"] as const)
      for (const ngl of [-1, 0, 3, Math.floor(a.block_count / 2), a.block_count])
        for (const engine of [
          { name: "llama.cpp", revision: "current" },
          { name: "llama.cpp", revision: "2025-10-28" },
        ]) {
          const c = cfg({ backend, n_gpu_layers: ngl, engine } as Parameters<typeof cfg>[0]);
          const w = computeWeights(a, c, { tensors }).w;
          const dev = w.per_device.filter((d) => !d.host).reduce((s, d) => s + d.bytes, 0);
          const host = w.per_device.filter((d) => d.host).reduce((s, d) => s + d.bytes, 0);
          assert.deepEqual(
            [dev, host, w.bytes],
            oracle(a, c, tensors),
            `${model.id} ${backend} -ngl ${ngl} ${engine.revision}`,
          );
          compared++;
        }
  }
  assert.ok(compared > 2000, `compared ${compared}`);
});
