/**
 * Residuals of the engine against the 23 H100 runs (ingested copy in
 * data/raw/2026-11-26-qwen3-14b-h100-sxm-80gb-llama-cpp-cuda):
 * prints a Markdown table for the closing note. `node scripts/calc/h100-residuals.ts`
 * The tolerances themselves are asserted by tests/unit/engine/h100-logs.test.ts.
 */
import { computeBreakdown } from "../../src/lib/engine/index.ts";
import { cfg, fixture, h100Cases, MiB, readH100Case } from "../../tests/helpers/engine.ts";

const qwen = fixture("qwen3-14b");
const pct = (x: number): string => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(2)} %`;
const m = (b: number): string => (b / MiB).toFixed(2);

console.log(
  "| n_ctx | K/V | FA | KV exact | compute est / meas (MiB) | compute res. | device est / nvidia-smi peak (MiB) | device res. | total res. |",
);
console.log("|---:|---|---|---|---:|---:|---:|---:|---:|");
const rows = h100Cases()
  .map(readH100Case)
  .sort((a, b) => a.n_ctx - b.n_ctx || (a.fa === b.fa ? 0 : a.fa === "on" ? -1 : 1));
let worst = { c: 0, d: 0, t: 0 };
for (const c of rows) {
  const b = computeBreakdown(
    qwen,
    cfg({
      n_ctx: c.n_ctx,
      type_k: c.type_k as "f16",
      type_v: c.type_v as "f16",
      flash_attn: c.fa,
      weights_ftype: "Q4_K_M",
    }),
  );
  const meas = c.mb.CUDA0.compute + c.mb.CUDA_Host.compute;
  const peak = c.peakMiB * MiB;
  const host = c.mb.CPU_Mapped.model + c.mb.CUDA_Host.compute + b.output.bytes;
  const rc = b.compute.bytes / meas - 1;
  const rd = b.total.device_bytes / peak - 1;
  const rt = b.total.bytes / (peak + host) - 1;
  worst = {
    c: Math.max(worst.c, Math.abs(rc)),
    d: Math.max(worst.d, Math.abs(rd)),
    t: Math.max(worst.t, Math.abs(rt)),
  };
  console.log(
    `| ${c.n_ctx} | ${c.type_k}/${c.type_v} | ${c.fa} | ${b.kv.bytes === c.mb.CUDA0.context ? "yes" : "NO"} | ${m(b.compute.bytes)} / ${m(meas)} | ${pct(rc)} | ${m(b.total.device_bytes)} / ${c.peakMiB} | ${pct(rd)} | ${pct(rt)} |`,
  );
}
console.log(
  `\nworst |residual|: compute ${pct(worst.c)}, device ${pct(worst.d)}, total ${pct(worst.t)} (in-sample: the compute/overhead constants were fitted on these runs)`,
);
