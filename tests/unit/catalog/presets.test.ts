/**
 * Every model preset, run through the engine, against numbers computed independently:
 * - the hand computation of tests/fixtures/catalog/preset-figures.json (each entry from the model's
 *   own config.json, its arithmetic written out and checked here), which each preset's `reference`
 *   block repeats;
 * - hand computations written out below;
 * - real llama.cpp log lines (the ingested H100 measurement,
 *   data/raw/2026-11-26-qwen3-14b-h100-sxm-80gb-llama-cpp-cuda, llama.cpp de3ff81).
 * Every mismatch is either fixed in the preset or listed in CORRECTIONS with its reason.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { loadCatalog } from "../../../scripts/catalog/validate.ts";
import { presetFigures } from "../../../src/lib/catalog/index.ts";
import { computeBreakdown, EngineError, planMemory } from "../../../src/lib/engine/index.ts";
import type { Model } from "../../../src/schemas/model.ts";
import { RuntimeConfigSchema, type RuntimeConfigInput } from "../../../src/schemas/runtime-config.ts";
import { MiB } from "../../../src/lib/units.ts";
import { DATA_DIR, REPO_ROOT } from "./fixture.ts";
import { evalArithmetic, handFigures } from "./hand-figures.ts";
import { toMiB2 } from "../../../src/lib/format.ts";

const { catalog, errors } = loadCatalog(DATA_DIR);
const byId = new Map(catalog.models.map((m) => [m.id, m]));
const hand = new Map(handFigures().map((h) => [h.id, h]));
const model = (id: string): Model => {
  const m = byId.get(id);
  assert.ok(m, `no preset ${id}`);
  return m;
};

/**
 * Presets the engine refuses, with the field it names and why the data lacks it: none since the
 * seven that lacked a field (Falcon-H1 Mamba group count and vocabulary, Nemotron-H-56B layer
 * pattern) were completed from their published config.json (scripts/catalog/published-configs.ts).
 * The catalog validator now fails on any preset the engine cannot size.
 */
const CORRECTIONS: Record<string, { field: string; reason: string }> = {};

/**
 * Presets whose `reference` block differs from the hand computation because it assumed a Mamba
 * group count of 1 where the published config has more (the hand figure uses the config's).
 */
const GROUP_CORRECTIONS: Record<string, { recurrentStateBytesPerSeqF32: number; reason: string }> = {
  // 72 layers × 4 B × (conv (4 − 1) × (4096 + 2 × 1 × 256) + ssm 256 × 4096), n_groups 1.
  "falcon-h1-34b": {
    recurrentStateBytesPerSeqF32: 72 * 4 * (3 * (4096 + 2 * 1 * 256) + 256 * 4096),
    reason: "config.json mamba_n_groups 2; the reference block assumed 1",
  },
};

/**
 * Presets whose engine figures differ from the reference's hand computation, with the figures the
 * engine must give (written out by hand) and why. The hand computation (as llama.cpp 34af94cd
 * sized it: no MTP filter for glm4moe) gives a GGUF's NextN layer of glm4moe KV;
 * the llama.cpp the project measures with (de3ff81, node-llama-cpp 3.22.1, the H100 runs) filters
 * NextN/MTP layers out of the KV cache for EVERY architecture: the recorded oracle fixture
 * tests/fixtures/oracle/glm4moe.json (a 4-block glm4moe GGUF with nextn_predict_layers 1) logs
 * `llama_kv_cache: layer   3: filtered` and a size line of `3 layers`. The engine's `current`
 * revision follows the binary; its older revisions keep the per-architecture lists and give
 * the reference figures (checked below).
 */
const NEXTN_FILTERED =
  "llama.cpp de3ff81 drops the NextN layer from KV (oracle fixture glm4moe: 'layer 3: filtered', '3 layers'); the hand figure keeps it, as llama.cpp 34af94cd did";
const FIGURE_CORRECTIONS: Record<string, { figures: [number, number, number]; kvLayers: number; reason: string }> = {
  // 92 trunk layers × 2 (K, V) × 8 KV heads × 128 × 2 B; the reference has 93 layers (380,928 B).
  "glm-4.5": { figures: [92 * 2 * 8 * 128 * 2, 0, 0], kvLayers: 92, reason: NEXTN_FILTERED },
  "glm-4.6": { figures: [92 * 2 * 8 * 128 * 2, 0, 0], kvLayers: 92, reason: NEXTN_FILTERED },
  // 46 trunk layers; the reference has 47 (192,512 B).
  "glm-4.5-air": { figures: [46 * 2 * 8 * 128 * 2, 0, 0], kvLayers: 46, reason: NEXTN_FILTERED },
};

const OLDER_RULES = { name: "llama.cpp", revision: "2025-11-07" } as const;

describe("model presets", () => {
  it("all 83 load and validate", () => {
    assert.deepEqual(errors, []);
    assert.equal(catalog.models.length, 83);
  });

  it("have one hand computation each, from the model's own config.json, whose arithmetic holds", () => {
    assert.deepEqual([...hand.keys()].sort(), catalog.models.map((m) => m.id).sort());
    for (const m of catalog.models) {
      const h = hand.get(m.id)!;
      assert.equal(h.name, m.name);
      assert.equal(h.config, `https://huggingface.co/${m.hfId}/blob/main/config.json`, m.id);
      assert.match(h.how, /^KV: /, m.id);
      for (const f of [h.kvBytesPerTokenF16, h.swaBytesPerCellF16, h.recurrentStateBytesPerSeqF32])
        assert.equal(evalArithmetic(f.expr), f.value, `${m.id}: ${f.expr}`);
    }
  });

  it("repeat the hand computation in their reference block, or are documented group corrections", () => {
    for (const m of catalog.models) {
      const h = hand.get(m.id)!;
      const state = GROUP_CORRECTIONS[m.id]?.recurrentStateBytesPerSeqF32 ?? h.recurrentStateBytesPerSeqF32.value;
      assert.deepEqual(
        [
          m.reference.kvBytesPerTokenF16,
          m.reference.swaKvBytesPerCellF16,
          m.reference.recurrentStateBytesPerSeqF32,
          m.reference.kvLayers,
          m.reference.recurrentLayers,
        ],
        [h.kvBytesPerTokenF16.value, h.swaBytesPerCellF16.value, state, h.kvLayers, h.recurrentLayers],
        m.id,
      );
    }
  });

  it("engine KV bytes per token (f16), SWA bytes per cell and fixed state agree with the reference, or are documented corrections", () => {
    const mismatches: Record<string, number[]> = {};
    const refused: Record<string, string | null> = {};
    for (const m of catalog.models) {
      try {
        const f = presetFigures(m);
        const got = [f.kvBytesPerTokenF16, f.swaBytesPerCellF16, f.fixedStateBytesPerSeq];
        const h = hand.get(m.id)!;
        const want = [h.kvBytesPerTokenF16.value, h.swaBytesPerCellF16.value, h.recurrentStateBytesPerSeqF32.value];
        if (got.join() !== want.join()) mismatches[m.id] = got;
      } catch (e) {
        if (!(e instanceof EngineError)) throw e;
        refused[m.id] = e.field;
      }
    }
    assert.deepEqual(
      mismatches,
      Object.fromEntries(Object.entries(FIGURE_CORRECTIONS).map(([id, c]) => [id, c.figures])),
      "differences from the reference must be exactly the documented figure corrections",
    );
    assert.deepEqual(
      refused,
      Object.fromEntries(Object.entries(CORRECTIONS).map(([id, c]) => [id, c.field])),
      "refusals must be exactly the documented corrections",
    );
  });

  it("KV layer and recurrent layer counts agree with the hand computation", () => {
    for (const m of catalog.models) {
      if (CORRECTIONS[m.id]) continue;
      const p = planMemory(m.architecture, RuntimeConfigSchema.parse({ n_ctx: 4096, flash_attn: "on" }));
      const kvLayers = p.caches.filter((c) => c.kind !== "indexer").reduce((s, c) => s + c.layers, 0);
      const h = hand.get(m.id)!;
      assert.equal(kvLayers, FIGURE_CORRECTIONS[m.id]?.kvLayers ?? h.kvLayers, `${m.id} KV layers`);
      assert.equal(p.recurrent.layers, h.recurrentLayers, `${m.id} recurrent layers`);
    }
  });
});

describe("figure corrections (engine `current` = llama.cpp de3ff81, hand figures = llama.cpp 34af94cd)", () => {
  it("the recorded llama.cpp de3ff81 run filters a glm4moe NextN layer (the evidence)", () => {
    const fx = JSON.parse(readFileSync(join(REPO_ROOT, "tests/fixtures/oracle/glm4moe.json"), "utf8")) as {
      models: { metadata: Record<string, { value?: unknown }> }[];
      cases: { id: string; lines: string[]; kv: { layers: number }[] }[];
    };
    const meta = fx.models[0].metadata;
    assert.equal(meta["glm4moe.block_count"].value, 4);
    assert.equal(meta["glm4moe.nextn_predict_layers"].value, 1);
    for (const c of fx.cases) {
      assert.ok(
        c.lines.some((l) => /llama_kv_cache: layer +3: filtered/.test(l)),
        `${c.id}: llama.cpp logs the NextN layer as filtered`,
      );
      assert.deepEqual(
        c.kv.map((k) => k.layers),
        [3],
        `${c.id}: 3 KV layers of 4 blocks`,
      );
    }
  });

  for (const [id, c] of Object.entries(FIGURE_CORRECTIONS))
    it(`${id}: the older revision reproduces the reference figures exactly (${c.reason.slice(0, 40)}…)`, () => {
      const m = model(id);
      assert.equal(m.architecture.nextn_predict_layers, 1);
      const p = planMemory(
        m.architecture,
        RuntimeConfigSchema.parse({ n_ctx: 4096, flash_attn: "on", engine: OLDER_RULES }),
      );
      const full = p.caches.find((x) => x.kind === "full")!;
      assert.equal(full.bytes / (full.cells * full.n_stream), m.reference.kvBytesPerTokenF16);
      assert.equal(full.layers, m.reference.kvLayers);
      assert.equal(m.reference.kvLayers, c.kvLayers + 1, "exactly the one NextN layer");
    });
});

describe("presets against hand computation (docs/memory-model.md)", () => {
  const f = (id: string) => presetFigures(model(id));

  it("Qwen3.5-27B: 16 of 64 layers full attention, 48 GDN layers, MTP layer without KV", () => {
    // KV: 16 layers × 2 (K, V) × 4 heads × 256 dims × 2 B = 65,536 B/token.
    // GDN (docs/memory-model.md#recurrent-families): d_inner 48 × 128 = 6144, d_state 128, n_group 16, d_conv 4:
    //   r = 3 × (6144 + 2 × 16 × 128) = 30,720; s = 128 × 6144 = 786,432; × 4 B × 48 layers.
    assert.equal(f("qwen3.5-27b").kvBytesPerTokenF16, 16 * 2 * 4 * 256 * 2);
    assert.equal(f("qwen3.5-27b").fixedStateBytesPerSeq, (3 * (6144 + 2 * 16 * 128) + 128 * 6144) * 4 * 48);
  });

  it("Gemma-3-27B: 10 full + 52 SWA layers of 16 × 128", () => {
    assert.equal(f("gemma-3-27b").kvBytesPerTokenF16, 10 * 2 * 16 * 128 * 2);
    assert.equal(f("gemma-3-27b").swaBytesPerCellF16, 52 * 2 * 16 * 128 * 2);
    assert.equal(f("gemma-3-27b").swaWindow, 1024);
  });

  it("Gemma-3n-E2B: only the first 20 of 30 layers own KV (16 SWA + 4 full)", () => {
    assert.equal(f("gemma-3n-e2b").kvBytesPerTokenF16, 4 * 2 * 2 * 256 * 2);
    assert.equal(f("gemma-3n-e2b").swaBytesPerCellF16, 16 * 2 * 2 * 256 * 2);
  });

  it("DeepSeek-V3 and Kimi-K2: MLA K-only latent of 512 + 64 over 61 layers", () => {
    assert.equal(f("deepseek-v3").kvBytesPerTokenF16, 61 * 576 * 2);
    assert.equal(f("kimi-k2-instruct").kvBytesPerTokenF16, 61 * 576 * 2);
  });

  it("GLM-4.5: llama.cpp de3ff81 filters the NextN layer (92 KV layers of 93 blocks)", () => {
    assert.equal(f("glm-4.5").kvBytesPerTokenF16, 92 * 2 * 8 * 128 * 2);
    const p = planMemory(model("glm-4.5").architecture, RuntimeConfigSchema.parse({ n_ctx: 4096, flash_attn: "on" }));
    assert.equal(p.caches[0].layers, 92);
    assert.equal(p.r.layers[92].kind, "mtp");
  });

  it("GLM-4.5 under the older revisions (per-architecture MTP lists): the NextN layer keeps KV (93 layers)", () => {
    const cfg = RuntimeConfigSchema.parse({ n_ctx: 4096, flash_attn: "on", engine: OLDER_RULES });
    const p = planMemory(model("glm-4.5").architecture, cfg);
    assert.equal(p.caches[0].layers, 93);
    assert.equal(p.caches[0].bytes / 4096, 93 * 2 * 8 * 128 * 2);
  });

  it("Llama-4-Scout: 12 global layers grow, 36 chunked layers are a window of 8192", () => {
    assert.equal(f("llama-4-scout-17b-16e").kvBytesPerTokenF16, 12 * 2 * 8 * 128 * 2);
    assert.equal(f("llama-4-scout-17b-16e").swaWindow, 8192);
  });
});

describe("presets against hand computation: hybrids and full MHA (docs/memory-model.md)", () => {
  const f = (id: string) => presetFigures(model(id));

  it("Jamba: 4 attention layers, 28 Mamba-1 layers (d_inner 8192, d_state 16)", () => {
    assert.equal(f("jamba-mini-1.5-1.6").kvBytesPerTokenF16, 4 * 2 * 8 * 128 * 2);
    assert.equal(f("jamba-mini-1.5-1.6").fixedStateBytesPerSeq, (3 * 8192 + 16 * 8192) * 4 * 28);
  });

  it("Nemotron-Nano-9B-v2: pattern gives 4 attention, 27 Mamba-2 (n_group 8), 25 MLP-only blocks", () => {
    assert.equal(f("nvidia-nemotron-nano-9b-v2").kvBytesPerTokenF16, 4 * 2 * 8 * 128 * 2);
    assert.equal(
      f("nvidia-nemotron-nano-9b-v2").fixedStateBytesPerSeq,
      (3 * (10240 + 2 * 8 * 128) + 128 * 10240) * 4 * 27,
    );
  });

  it("Falcon-H1-0.5B: every layer has KV and Mamba-2 state (parallel hybrid)", () => {
    assert.equal(f("falcon-h1-0.5b").kvBytesPerTokenF16, 36 * 2 * 2 * 64 * 2);
    assert.equal(f("falcon-h1-0.5b").fixedStateBytesPerSeq, (3 * (1536 + 2 * 1 * 128) + 128 * 1536) * 4 * 36);
  });

  it("Nemotron-H-56B: config pattern gives 10 attention, 54 Mamba-2 (n_group 8), 54 MLP-only blocks", () => {
    const a = model("nemotron-h-56b-base-8k").architecture;
    assert.equal(f("nemotron-h-56b-base-8k").kvBytesPerTokenF16, 10 * 2 * 8 * 128 * 2);
    assert.equal(f("nemotron-h-56b-base-8k").fixedStateBytesPerSeq, (3 * (16384 + 2 * 8 * 256) + 256 * 16384) * 4 * 54);
    assert.equal((a.feed_forward_length as number[]).filter((x) => x === 32768).length, 54);
  });

  it("Falcon-H1 1.5B … 34B: every layer has KV and Mamba-2 state with the config's group count", () => {
    // [id, layers, KV heads, d_inner, d_state, n_group]
    const rows: [string, number, number, number, number, number][] = [
      ["falcon-h1-1.5b", 24, 2, 3072, 256, 1],
      ["falcon-h1-1.5b-deep", 66, 2, 1536, 256, 1],
      ["falcon-h1-3b", 32, 2, 4096, 256, 1],
      ["falcon-h1-7b", 44, 2, 3072, 256, 1],
      ["falcon-h1-34b", 72, 4, 4096, 256, 2],
    ];
    for (const [id, L, kv, di, ds, g] of rows) {
      assert.equal(f(id).kvBytesPerTokenF16, L * 2 * kv * 128 * 2, id);
      assert.equal(f(id).fixedStateBytesPerSeq, (3 * (di + 2 * g * ds) + ds * di) * 4 * L, id);
    }
  });

  it("Command-R v01: full MHA, 64 KV heads", () => {
    assert.equal(f("command-r-v01-35b").kvBytesPerTokenF16, 40 * 2 * 64 * 128 * 2);
  });
});

describe("the qwen3-14b preset against real llama.cpp logs (H100, llama.cpp de3ff81)", () => {
  // The `llama_kv_cache: size = … MiB` line of each run's llama.log in
  // data/raw/2026-11-26-qwen3-14b-h100-sxm-80gb-llama-cpp-cuda (n_seq_max 1, flash attention on).
  const measured: [number, string, string, number][] = [
    [2048, "f16", "f16", 320],
    [8192, "f16", "f16", 1280],
    [32768, "f16", "f16", 5120],
    [65536, "f16", "f16", 10240],
    [131072, "f16", "f16", 20480],
    [32768, "q8_0", "q8_0", 2720],
    [32768, "q4_0", "q4_0", 1440],
    [131072, "q8_0", "q4_0", 8320],
  ];
  for (const [n_ctx, type_k, type_v, mib] of measured)
    it(`KV ${type_k}/${type_v} at ${n_ctx} = ${mib} MiB`, () => {
      const cfg = RuntimeConfigSchema.parse({ n_ctx, type_k, type_v, flash_attn: "on" } as RuntimeConfigInput);
      const p = planMemory(model("qwen3-14b").architecture, cfg);
      assert.equal(
        p.caches.reduce((s, c) => s + c.bytes, 0),
        mib * MiB,
      );
    });

  it("Q4_K_M weights: 8,995,793,920 B of tensor data, CUDA0 8161.75 MiB + CPU_Mapped 417.30 MiB", () => {
    const b = computeBreakdown(
      model("qwen3-14b").architecture,
      RuntimeConfigSchema.parse({ n_ctx: 2048, weights_ftype: "Q4_K_M", backend: "cuda" }),
    );
    assert.equal(b.weights.bytes, 8995793920);
    const dev = Object.fromEntries(b.weights.per_device.map((d) => [d.name, toMiB2(d.bytes)]));
    assert.deepEqual(dev, { CUDA0: "8161.75", CPU_Mapped: "417.30" });
    const listed = model("qwen3-14b").weights.find((w) => w.bytesKind === "exact");
    assert.equal(listed?.bytes, 8995793920);
  });
});

describe("every preset can be sized (83/83)", () => {
  for (const backend of ["cuda", "metal"] as const)
    it(`${backend}: breakdown at 4096 tokens with Q4_K_M weights`, () => {
      const cfg = RuntimeConfigSchema.parse({ n_ctx: 4096, weights_ftype: "Q4_K_M", backend });
      const refused: Record<string, string | null> = {};
      for (const m of catalog.models) {
        try {
          const b = computeBreakdown(m.architecture, cfg);
          assert.ok(b.total.bytes > b.kv.bytes, m.id);
          assert.ok(b.weights.bytes > 0, `${m.id}: weights`);
        } catch (e) {
          if (!(e instanceof EngineError)) throw e;
          assert.match(e.message, /\S/);
          refused[m.id] = e.field;
        }
      }
      assert.deepEqual(refused, {});
    });
});
