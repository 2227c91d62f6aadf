/**
 * The engine's type tables (src/lib/engine) checked against data/quants, and data/quants against
 * llama.cpp's own tables (docs/memory-model.md#ggml-type-sizes, #turboquant-layouts).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCatalog } from "../../../scripts/catalog/validate.ts";
import { estimateBpw } from "../../../src/lib/catalog/index.ts";
import {
  computeBreakdown,
  EngineError,
  FTYPE_BY_ID,
  FTYPE_FALLBACK_BPW,
  FTYPES,
  GGML_TYPE_TRAITS,
  kvTypeTraits,
} from "../../../src/lib/engine/index.ts";
import { kvTypesFor } from "../../../src/lib/engine/solve.ts";
import { GGML_TYPE_IDS, ggmlTypeNameFromId, TURBOQUANT_TYPE_IDS } from "../../../src/schemas/ggml-type.ts";
import { ggmlTypeById } from "../../../src/lib/gguf/ggml-types.ts";
import { isQuantizedKvType, KV_TYPES, type KvType } from "../../../src/schemas/kv-type.ts";
import { RuntimeConfigSchema, type EngineProfile } from "../../../src/schemas/runtime-config.ts";
import type { KvCacheType } from "../../../src/schemas/quant.ts";
import { ArchitectureSchema, type Architecture } from "../../../src/schemas/architecture.ts";
import { readFileSync } from "node:fs";
import { DATA_DIR } from "./fixture.ts";

const { catalog } = loadCatalog(DATA_DIR);
const kv = new Map(catalog.kvTypes.map((t) => [t.name, t]));
const fixtureArch = (name: string): Architecture =>
  ArchitectureSchema.parse(
    JSON.parse(readFileSync(new URL(`../../fixtures/engine/${name}.json`, import.meta.url), "utf8")),
  );

/** The layout a type had on a date (history periods are inclusive). */
function layoutOn(t: KvCacheType, date: string) {
  return t.history.find((h) => (h.from === null || h.from <= date) && (h.until === null || date <= h.until));
}

describe("KV cache types: data/quants vs llama.cpp's type tables", () => {
  it("has the upstream -ctk/-ctv list and the three TurboQuant types", () => {
    assert.deepEqual(
      catalog.kvTypes.map((t) => t.name),
      ["f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1", "turbo2", "turbo3", "turbo4"],
    );
  });

  it("matches the ggml and TurboQuant block layouts (docs/memory-model.md#ggml-type-sizes, #turboquant-layouts)", () => {
    // [name, values per block, bytes per block, bits per value] from ggml's type_traits (ggml/src/ggml.c) and the fork's ggml-common.h.
    const table: [string, number, number, number][] = [
      ["f32", 1, 4, 32],
      ["f16", 1, 2, 16],
      ["bf16", 1, 2, 16],
      ["q8_0", 32, 34, 8.5],
      ["q4_0", 32, 18, 4.5],
      ["q4_1", 32, 20, 5.0],
      ["iq4_nl", 32, 18, 4.5],
      ["q5_0", 32, 22, 5.5],
      ["q5_1", 32, 24, 6.0],
      ["turbo4", 128, 68, 4.25],
      ["turbo3", 128, 50, 3.125],
      ["turbo2", 128, 34, 2.125],
    ];
    for (const [name, blk, bytes, bpv] of table) {
      const t = kv.get(name as KvType)!;
      assert.deepEqual([t.blockSize, t.bytesPerBlock, t.bitsPerValue], [blk, bytes, bpv], name);
    }
  });

  it("records the March 2026 TurboQuant layouts (docs/memory-model.md#turboquant-layouts)", () => {
    // turbo3 was 14 B / 32 (3.5 bpv) from 2026-03-25, turbo2 10 B / 32 (2.5 bpv) from 2026-03-28,
    // both block 128 since 2026-03-30.
    assert.deepEqual(pick(layoutOn(kv.get("turbo3")!, "2026-03-27")), [32, 14, 3.5]);
    assert.deepEqual(pick(layoutOn(kv.get("turbo2")!, "2026-03-29")), [32, 10, 2.5]);
    assert.deepEqual(pick(layoutOn(kv.get("turbo3")!, "2026-03-30")), [128, 50, 3.125]);
    assert.deepEqual(pick(layoutOn(kv.get("turbo2")!, "2026-04-15")), [128, 34, 2.125]);
    assert.equal(layoutOn(kv.get("turbo2")!, "2026-03-20"), undefined, "turbo2 did not exist before 2026-03-28");
  });

  it("cites the seed's quality figures as cited, with their source", () => {
    const q2 = kv.get("turbo2")!.quality;
    const q3 = kv.get("turbo3")!.quality;
    assert.equal(q2[0].value, 6.48);
    assert.equal(q3[0].value, 1.06);
    for (const q of [...q2, ...q3]) assert.match(q.citedIn, /github\.com\/TheTom\/turboquant_plus\/.*original report/);
  });
});

function pick(h: { blockSize: number; bytesPerBlock: number; bitsPerValue: number } | undefined) {
  return h ? [h.blockSize, h.bytesPerBlock, h.bitsPerValue] : undefined;
}

describe("the engine's KV type table agrees with data/quants", () => {
  const current: EngineProfile = { name: "turboquant", revision: "2026-05" };
  const march: EngineProfile = { name: "turboquant", revision: "2026-03" };

  it("knows exactly the catalog's KV types", () => {
    assert.deepEqual([...KV_TYPES].sort(), [...kv.keys()].sort());
  });

  it("uses the current block size and bytes of every type", () => {
    for (const t of catalog.kvTypes) {
      assert.deepEqual(GGML_TYPE_TRAITS[t.name], { blck: t.blockSize, bytes: t.bytesPerBlock }, t.name);
      assert.deepEqual(kvTypeTraits(t.name, current), { blck: t.blockSize, bytes: t.bytesPerBlock }, t.name);
    }
  });

  it("uses the layouts of 2026-03-29 for the fork's 2026-03 revision", () => {
    for (const t of catalog.kvTypes) {
      const h = layoutOn(t, "2026-03-29")!;
      assert.deepEqual(kvTypeTraits(t.name, march), { blck: h.blockSize, bytes: h.bytesPerBlock }, t.name);
    }
  });

  it("needs flash attention for the same types", () => {
    for (const t of catalog.kvTypes) assert.equal(isQuantizedKvType(t.name), t.needsFlashAttention !== "never", t.name);
  });

  it("has the catalog's ggml ids (upstream enum; the fork's ids for turbo types)", () => {
    for (const t of catalog.kvTypes) {
      const id =
        t.name in TURBOQUANT_TYPE_IDS
          ? TURBOQUANT_TYPE_IDS[t.name as keyof typeof TURBOQUANT_TYPE_IDS]
          : GGML_TYPE_IDS[t.name as keyof typeof GGML_TYPE_IDS];
      assert.equal(id, t.ggmlId, t.name);
    }
  });

  it("the GGUF reader's id table is the same table (upstream ids; turbo ids are the fork's)", () => {
    for (const t of catalog.kvTypes) {
      if (t.engines.includes("llama.cpp")) {
        const g = ggmlTypeById(t.ggmlId!);
        assert.deepEqual([g.name, g.blck, g.typeSize], [t.name, t.blockSize, t.bytesPerBlock], t.name);
      } else {
        // upstream 42 is q2_0; the fork's turbo ids read as upstream types or not at all
        assert.notEqual(ggmlTypeNameFromId(t.ggmlId!), t.name, t.name);
        assert.equal(ggmlTypeNameFromId(t.ggmlId!, true), t.name, t.name);
      }
    }
  });
});

describe("KV types per engine profile (data/quants)", () => {
  it("offers per engine profile exactly the types that engine accepts", () => {
    for (const name of ["llama.cpp", "turboquant", "ollama"] as const) {
      const cfg = RuntimeConfigSchema.parse({ engine: { name } });
      const data = catalog.kvTypes.filter((t) => t.engines.includes(name)).map((t) => t.name);
      assert.deepEqual([...kvTypesFor(cfg)].sort(), [...data].sort(), name);
    }
    // Ollama's FAQ names three: f16, q8_0, q4_0 (OLLAMA_KV_CACHE_TYPE).
    assert.deepEqual(kvTypesFor(RuntimeConfigSchema.parse({ engine: { name: "ollama" } })), ["f16", "q8_0", "q4_0"]);
  });

  it("the ollama profile refuses the other types, naming the option and what it takes", () => {
    const a = fixtureArch("qwen3-14b");
    const run = (t: KvType) =>
      computeBreakdown(a, RuntimeConfigSchema.parse({ n_ctx: 4096, type_k: t, type_v: t, engine: { name: "ollama" } }));
    for (const t of ["f32", "bf16", "q4_1", "q5_0", "q5_1", "iq4_nl"] as const)
      assert.throws(
        () => run(t),
        (e: unknown) =>
          e instanceof EngineError &&
          e.field === "type_k" &&
          e.message.includes(`ollama does not accept KV cache type ${t}`) &&
          e.message.includes("OLLAMA_KV_CACHE_TYPE takes f16, q8_0, q4_0"),
        t,
      );
    // q8_0 is accepted: 40 layers × 2 × 1024 values × 34/32 B × 4096 cells.
    assert.equal(run("q8_0").kv.bytes, 40 * 2 * (1024 / 32) * 34 * 4096);
    // upstream llama.cpp takes q5_0 for the same model
    assert.doesNotThrow(() =>
      computeBreakdown(a, RuntimeConfigSchema.parse({ n_ctx: 4096, type_k: "q5_0", type_v: "q5_0" })),
    );
  });
});

describe("weight ftypes: data/quants vs llama.cpp and the engine", () => {
  const ft = new Map(catalog.weightFtypes.map((f) => [f.id, f]));

  it("has the llama.h ftype ids and llama.cpp's printed names", () => {
    // From llama.cpp de3ff81 include/llama.h and llama_model_ftype_name.
    const expect: [string, number, string][] = [
      ["F32", 0, "all F32"],
      ["F16", 1, "F16"],
      ["Q4_0", 2, "Q4_0"],
      ["Q8_0", 7, "Q8_0"],
      ["Q4_K_M", 15, "Q4_K - Medium"],
      ["Q6_K", 18, "Q6_K"],
      ["IQ3_M", 27, "IQ3_S mix - 3.66 bpw"],
      ["BF16", 32, "BF16"],
      ["MXFP4_MOE", 38, "MXFP4 MoE"],
      ["IQ1_S", 24, "IQ1_S - 1.5625 bpw"],
    ];
    for (const [id, n, printed] of expect) {
      assert.equal(ft.get(id)?.ftype, n, id);
      assert.equal(ft.get(id)?.printedName, printed, id);
    }
  });

  it("uses base types the engine knows, with the base type's bpw as nominal for non-i-quants", () => {
    for (const f of catalog.weightFtypes) {
      const tr = GGML_TYPE_TRAITS[f.baseType as keyof typeof GGML_TYPE_TRAITS];
      assert.ok(tr, `${f.id}: base type ${f.baseType} unknown to the engine`);
      if (!/^(IQ|TQ)/.test(f.id)) assert.equal(f.nominalBpw, (tr.bytes * 8) / tr.blck, f.id);
    }
  });

  it("is the engine's ftype table row for row (id, general.file_type, base type, fallback bpw)", () => {
    // The fallback uses the catalog's estimate: typicalBpw where known, else nominalBpw.
    const fromData = catalog.weightFtypes
      .map((f) => ({ id: f.id, ftype: f.ftype, base: f.baseType, bpw: f.typicalBpw ?? f.nominalBpw }))
      .sort((x, y) => x.ftype - y.ftype);
    assert.deepEqual(
      FTYPES.map((f) => ({ ...f })),
      fromData,
    );
    for (const f of catalog.weightFtypes) {
      assert.equal(FTYPE_BY_ID[f.ftype], f.id, `general.file_type ${f.ftype}`);
      assert.equal(FTYPE_FALLBACK_BPW[f.id], estimateBpw(f).bpw, f.id);
    }
  });

  it("has the newer ftypes with de3ff81's ids (llama.h)", () => {
    // include/llama.h of de3ff81: Q2_K_S 21, MXFP4_MOE 38, NVFP4 39, Q1_0 40, Q2_0 41.
    assert.deepEqual(
      [21, 38, 39, 40, 41].map((n) => FTYPE_BY_ID[n]),
      ["Q2_K_S", "MXFP4_MOE", "NVFP4", "Q1_0", "Q2_0"],
    );
  });
});
