import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCatalog } from "../../../scripts/catalog/validate.ts";
import { attentionLayout, estimateWeightBytes, modelTableRow, weightOptions } from "../../../src/lib/catalog/index.ts";
import { computeBreakdown } from "../../../src/lib/engine/index.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";
import { MiB } from "../../../src/lib/units.ts";
import type { Model } from "../../../src/schemas/model.ts";
import { DATA_DIR } from "./fixture.ts";

const { catalog } = loadCatalog(DATA_DIR);
const model = (id: string) => catalog.models.find((m) => m.id === id)!;
const ftype = (id: string) => catalog.weightFtypes.find((f) => f.id === id)!;

describe("attention layout in words", () => {
  const cases: [string, string][] = [
    ["qwen3-14b", "40 full-attention layers (GQA 5:1)"],
    ["qwen3.5-27b", "16 full-attention + 48 Gated DeltaNet layers (GQA 6:1); 1 MTP layer without KV"],
    ["gemma-3-27b", "10 full-attention + 52 sliding-window (1024) layers (GQA 2:1)"],
    ["gemma-3n-e4b", "4 full-attention + 16 sliding-window (512) layers (GQA 4:1); 15 layers reuse earlier KV"],
    ["llama-4-scout-17b-16e", "12 full-attention + 36 chunked-attention (8192) layers (GQA 5:1)"],
    ["deepseek-v3", "61 MLA layers (576-wide latent)"],
    // llama.cpp de3ff81 filters the NextN block out of KV (oracle fixture glm4moe: "layer 3: filtered").
    ["glm-4.5", "92 full-attention layers (GQA 12:1); 1 MTP layer without KV"],
    ["olmo-2-7b", "32 full-attention layers (MHA)"],
    ["nvidia-nemotron-nano-9b-v2", "4 full-attention + 27 Mamba-2 layers (GQA 5:1); 25 blocks without KV or state"],
    ["falcon-h1-0.5b", "36 layers, each attention + Mamba-2 in parallel (GQA 4:1)"],
    ["falcon-h1-7b", "44 layers, each attention + Mamba-2 in parallel (GQA 6:1)"],
    ["nemotron-h-56b-base-8k", "10 full-attention + 54 Mamba-2 layers (GQA 8:1); 54 blocks without KV or state"],
  ];
  for (const [id, words] of cases) it(id, () => assert.equal(attentionLayout(model(id)), words));
});

describe("table rows", () => {
  const h100 = { bytes: (81079 - 512) * MiB, pool: "device" as const };

  it("carry the engine's figures (hand-checked) and provenance", () => {
    const r = modelTableRow(model("qwen3.5-27b"), { budget: h100 });
    assert.equal(r.figures?.kvBytesPerTokenF16, 16 * 2 * 4 * 256 * 2);
    assert.equal(r.figures?.fixedStateBytesPerSeq, 156893184);
    assert.equal(r.status, "verified");
    assert.equal(
      r.sourceUrl,
      "https://huggingface.co/Qwen/Qwen3.5-27B/commit/3b2962802c141fcffb992b4e13e4cf9012fdaa13",
    );
    assert.equal(r.refusal, null);
  });

  it("qwen3-14b on a 16 GiB card: the measured H100 runs fit 32768 (14203 MiB peak) but not 65536 (19323 MiB)", () => {
    // nvidia-smi peak − baseline of the ingested H100 runs (f16/f16, FA on), as their README states:
    // data/raw/2026-11-26-qwen3-14b-h100-sxm-80gb-llama-cpp-cuda/README.md.
    const r = modelTableRow(model("qwen3-14b"), {
      budget: { bytes: 16384 * MiB, pool: "device" },
      config: { backend: "cuda", flash_attn: "on" },
    });
    assert.ok(r.maxContext?.beyond, JSON.stringify(r));
    // The answer is capped at the trained context (40960); what memory alone allows is apart.
    assert.deepEqual([r.maxContext.nCtx, r.maxContext.limitedBy], [40960, "trained-context"]);
    const far = r.maxContext.beyond.nCtx;
    assert.ok(far >= 32768 && far < 65536, String(far));
    assert.equal(r.maxContext.beyond.limitedBy, "memory");
    // The answer is a boundary: it fits, one more allocation step does not (llama-server's one output
    // per sequence: docs/memory-model.md#server-outputs).
    const cfg = { backend: "cuda", flash_attn: "on", weights_ftype: "Q4_K_M", n_outputs_max: 1 } as const;
    const at = (n: number) =>
      computeBreakdown(model("qwen3-14b").architecture, RuntimeConfigSchema.parse({ n_ctx: n, ...cfg })).total
        .device_bytes;
    assert.ok(at(far) <= 16384 * MiB);
    assert.ok(at(far + r.maxContext.step) > 16384 * MiB);
  });

  it("stops at the model's trained context when the budget is ample; what memory allows beyond is apart", () => {
    const r = modelTableRow(model("qwen3-14b"), { budget: h100 });
    assert.deepEqual([r.maxContext?.nCtx, r.maxContext?.limitedBy], [40960, "trained-context"]);
    assert.ok(r.maxContext?.beyond && r.maxContext.beyond.nCtx > 40960);
  });

  it("null max context without a refusal when even the smallest context does not fit", () => {
    const r = modelTableRow(model("llama-3.1-405b"), { budget: { bytes: 8 * 1024 * MiB } });
    assert.equal(r.maxContext, null);
    assert.equal(r.refusal, null);
  });

  it("refusals name the missing field", () => {
    // No committed preset is refused (the validator fails on one); a preset missing a field is.
    const without = (id: string, edit: (a: Model["architecture"]) => void): Model => {
      const m = structuredClone(model(id));
      edit(m.architecture);
      return m;
    };
    const noGroups = without("falcon-h1-3b", (a) => {
      if (a.recurrent) a.recurrent.n_group = null;
    });
    assert.match(modelTableRow(noGroups, { budget: h100 }).refusal ?? "", /recurrent\.n_group/);
    const small = modelTableRow(
      without("falcon-h1-0.5b", (a) => {
        a.vocab_size = null;
      }),
      { budget: h100 },
    );
    assert.equal(small.figures?.kvBytesPerTokenF16, 18432);
    assert.match(small.refusal ?? "", /vocab_size/);
  });

  it("every preset gives a row (computed or refused)", () => {
    for (const m of catalog.models) {
      const r = modelTableRow(m, { budget: h100, config: { backend: "cuda" } });
      assert.ok(r.figures !== null || r.refusal !== null, m.id);
    }
  });
});

describe("weight options", () => {
  it("estimates params × typical bpw: Qwen3-14B Q8_0 = 14.8e9 × 8.51 / 8", () => {
    assert.equal(estimateWeightBytes(model("qwen3-14b"), ftype("Q8_0")), Math.round((14.8e9 * 8.51) / 8));
  });

  it("falls back to the nominal bpw when no reference file is known (IQ4_XS 4.25)", () => {
    assert.equal(estimateWeightBytes(model("qwen3-14b"), ftype("IQ4_XS")), Math.round((14.8e9 * 4.25) / 8));
  });

  it("lists the real variants first and estimates only the ftypes they do not cover", () => {
    const opts = weightOptions(model("qwen3-14b"), catalog.weightFtypes);
    const listed = model("qwen3-14b").weights.length;
    assert.deepEqual(opts.slice(0, listed), model("qwen3-14b").weights);
    assert.deepEqual(
      opts.slice(listed).map((o) => [o.ftype, o.bytesKind]),
      [
        ["Q6_K", "estimated"],
        ["Q8_0", "estimated"],
        ["F16", "estimated"],
      ],
    );
  });
});
