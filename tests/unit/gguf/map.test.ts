/**
 * GGUF metadata → architecture schema (docs/memory-model.md#gguf-keys). Metadata goes through the real
 * writer and reader (Blob path) first, so the test sees exactly what a user's file would give.
 * Expected values are the GGUF keys written here and llama.cpp's loader rules, spelled out.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { readGgufHeaderFromBlob } from "../../../src/lib/gguf/header.ts";
import type { GgufHeader } from "../../../src/lib/gguf/header.ts";
import { GgufMappingError, ggufToArchitecture } from "../../../src/lib/gguf/map.ts";
import {
  deepseek2Model,
  gemma2Model,
  gemma3Model,
  gemma3nModel,
  jambaModel,
  lfm2Model,
  llamaModel,
  mamba2Model,
  qwen35Model,
  qwen3Model,
  rwkv6Model,
  tinyVocab,
} from "../../helpers/gguf-models.ts";
import type { TinyModel } from "../../helpers/gguf-models.ts";
import { encodeGguf, kv } from "../../helpers/gguf-writer.ts";
import type { GgufFileSpec, GgufKv } from "../../helpers/gguf-writer.ts";

async function read(spec: GgufFileSpec): Promise<GgufHeader> {
  return readGgufHeaderFromBlob(new Blob([encodeGguf(spec).bytes]), "t.gguf");
}
async function mapped(spec: GgufFileSpec | TinyModel) {
  const h = await read(spec);
  return ggufToArchitecture(h.metadata, { tensors: h.tensors });
}
/** A spec with only metadata (no tensors): mapping needs no weights. */
function metaOnly(meta: Record<string, GgufKv>): GgufFileSpec {
  return { metadata: meta, tensors: [] };
}

describe("ggufToArchitecture: heads, widths and KV layout", () => {
  test("qwen3: head dim from key_length, GQA, tied embeddings, vocab from the token list", async () => {
    const tiny = qwen3Model(); // 4 layers, n_embd 64, 8 heads, 2 KV heads, head_dim 128
    const a = await mapped(tiny);
    assert.equal(a.arch, "qwen3");
    assert.equal(a.name, "tiny-qwen3");
    assert.equal(a.block_count, 4);
    assert.equal(a.nextn_predict_layers, 0);
    assert.equal(a.context_length, 40960);
    assert.equal(a.n_embd, 64);
    assert.equal(a.n_head, 8);
    assert.equal(a.n_head_kv, 2);
    assert.equal(a.key_length, 128); // ≠ n_embd / n_head = 8
    assert.equal(a.value_length, 128);
    assert.equal(a.sliding_window, null);
    assert.equal(a.mla, null);
    assert.equal(a.recurrent, null);
    assert.equal(a.vocab_size, 320);
    assert.equal(a.tied_embeddings, true);
    assert.equal(a.feed_forward_length, 128);
    const params = tiny.tensors.reduce((s, t) => s + t.shape.reduce((x, y) => x * y, 1), 0);
    assert.equal(a.n_params, params);
    assert.equal((await mapped(qwen3Model({ untied: true }))).tied_embeddings, false);
  });

  test("loader defaults: head_count_kv := head_count, key/value_length := n_embd / head_count", async () => {
    const a = await mapped(
      metaOnly({
        "general.architecture": kv.str("llama"),
        "llama.context_length": kv.u32(4096),
        "llama.embedding_length": kv.u32(4096),
        "llama.block_count": kv.u32(32),
        "llama.attention.head_count": kv.u32(32),
        "llama.vocab_size": kv.u32(32000),
      }),
    );
    assert.equal(a.n_head_kv, 32);
    assert.equal(a.key_length, 128);
    assert.equal(a.value_length, 128);
    assert.equal(a.vocab_size, 32000);
    assert.equal(a.tied_embeddings, true, "no output.weight tensor in a tensor-less file");
  });

  test("per-layer head_count_kv arrays are kept per layer (hybrids mark recurrent layers 0)", async () => {
    const a = await mapped(jambaModel({ nHeadKv: [0, 1, 0, 4] }));
    assert.deepEqual(a.n_head_kv, [0, 1, 0, 4]);
    assert.equal(a.recurrent?.family, "mamba1");
    assert.equal(a.recurrent?.n_group, 0, "Mamba-1 loaders never read ssm.group_count");
    assert.equal(a.recurrent?.d_inner, 256);
    assert.equal(a.recurrent?.d_conv, 4);
    assert.equal(a.recurrent?.d_state, 16);
  });

  test("archs whose loader ignores sliding_window get no SWA", async () => {
    const a = await mapped(
      metaOnly({
        "general.architecture": kv.str("qwen2"),
        "qwen2.context_length": kv.u32(32768),
        "qwen2.embedding_length": kv.u32(896),
        "qwen2.block_count": kv.u32(24),
        "qwen2.attention.head_count": kv.u32(14),
        "qwen2.attention.head_count_kv": kv.u32(2),
        "qwen2.attention.sliding_window": kv.u32(32768),
      }),
    );
    assert.equal(a.sliding_window, null);
    assert.equal(a.sliding_window_pattern, null);
    assert.equal(a.key_length, 64);
  });
});

describe("ggufToArchitecture: sliding-window layouts", () => {
  test("gemma2: window defaults to 4096, period 2; gemma3: period 6, no window → no SWA", async () => {
    const g2 = await mapped(gemma2Model());
    assert.equal(g2.sliding_window, 4096);
    assert.equal(g2.sliding_window_pattern, 2);
    const g2w = await mapped(gemma2Model({ window: 256 }));
    assert.equal(g2w.sliding_window, 256);
    const g3 = await mapped(gemma3Model({ window: 1024 }));
    assert.equal(g3.sliding_window, 1024);
    assert.equal(g3.sliding_window_pattern, 6);
    const g3none = gemma3Model();
    delete g3none.metadata["gemma3.attention.sliding_window"];
    const a = await mapped(g3none);
    assert.equal(a.sliding_window, null);
    assert.equal(a.sliding_window_pattern, null);
  });

  test("a GGUF sliding_window_pattern array is taken as is (load_swa_pattern reads it first)", async () => {
    const pattern = [true, false, true, false, true, true, true, false];
    const a = await mapped(gemma3Model({ swaPattern: pattern }));
    assert.deepEqual(a.sliding_window_pattern, pattern);
  });

  test("gemma3n: KV only for the first 20 layers, period 5", async () => {
    const a = await mapped(gemma3nModel());
    assert.equal(a.n_layer_kv_from_start, 20);
    assert.equal(a.sliding_window_pattern, 5);
    assert.equal(a.sliding_window, 512);
  });

  test("gemma4: per-layer pattern required, KV cut at block_count − shared_kv_layers", async () => {
    const base = {
      "general.architecture": kv.str("gemma4"),
      "gemma4.context_length": kv.u32(131072),
      "gemma4.embedding_length": kv.u32(1536),
      "gemma4.block_count": kv.u32(6),
      "gemma4.attention.head_count": kv.u32(8),
      "gemma4.attention.head_count_kv": kv.u32(1),
      "gemma4.attention.key_length": kv.u32(512),
      "gemma4.attention.value_length": kv.u32(512),
      "gemma4.attention.key_length_swa": kv.u32(256),
      "gemma4.attention.value_length_swa": kv.u32(256),
      "gemma4.attention.sliding_window": kv.u32(512),
      "gemma4.attention.sliding_window_pattern": kv.arr.bool([true, true, false, true, true, false]),
      "gemma4.attention.shared_kv_layers": kv.u32(2),
    };
    const a = await mapped(metaOnly(base));
    assert.deepEqual(a.sliding_window_pattern, [true, true, false, true, true, false]);
    assert.equal(a.n_layer_kv_from_start, 4);
    assert.equal(a.shared_kv_layers, 2);
    assert.equal(a.key_length_swa, 256);
    assert.equal(a.key_length, 512);
    const noPattern: Record<string, GgufKv> = { ...base };
    delete noPattern["gemma4.attention.sliding_window_pattern"];
    await assert.rejects(mapped(metaOnly(noPattern)), /gemma4\.attention\.sliding_window_pattern/);
  });

  test("llama4: chunked attention window is 8192 whatever the file says, 0 turns it off", async () => {
    const meta = (w?: number): Record<string, GgufKv> => ({
      "general.architecture": kv.str("llama4"),
      "llama4.context_length": kv.u32(10485760),
      "llama4.embedding_length": kv.u32(5120),
      "llama4.block_count": kv.u32(48),
      "llama4.attention.head_count": kv.u32(40),
      "llama4.attention.head_count_kv": kv.u32(8),
      ...(w === undefined ? {} : { "llama4.attention.sliding_window": kv.u32(w) }),
    });
    assert.equal((await mapped(metaOnly(meta()))).sliding_window, 8192);
    assert.equal((await mapped(metaOnly(meta(4096)))).sliding_window, 8192);
    assert.equal((await mapped(metaOnly(meta(4096)))).sliding_window_pattern, 4);
    assert.equal((await mapped(metaOnly(meta(0)))).sliding_window, null);
  });
});

describe("ggufToArchitecture: MLA and gated delta nets", () => {
  test("deepseek2 MLA: latent dims, K row 576; without *_mla keys it stays MHA", async () => {
    const a = await mapped(deepseek2Model());
    assert.deepEqual(a.mla, {
      kv_lora_rank: 512,
      q_lora_rank: 64,
      rope_dim: 64,
      key_length_mla: 192,
      value_length_mla: 128,
    });
    assert.equal(a.key_length, 576);
    assert.equal(a.value_length, 512);
    assert.equal(a.n_head_kv, 1);
    assert.equal(a.expert_count, 4);
    assert.equal(a.expert_feed_forward_length, 64);
    assert.equal(a.leading_dense_block_count, 1);
    const mha = await mapped(deepseek2Model({ mla: false }));
    assert.equal(mha.mla, null);
    assert.equal(mha.n_head_kv, 2);
    assert.equal(mha.key_length, 192);
    assert.equal(mha.value_length, 128);
  });

  test("qwen35: gated-delta-net dims, interval, recurrent_layers array, NextN count", async () => {
    const a = await mapped(qwen35Model({ nextn: 1 }));
    assert.equal(a.block_count, 9);
    assert.equal(a.nextn_predict_layers, 1);
    assert.deepEqual(
      { ...a.recurrent },
      {
        family: "gated-delta-net",
        d_conv: 4,
        d_inner: 512,
        d_state: 128,
        n_group: 2,
        time_step_rank: 4,
        head_size: null,
        n_head: null,
        token_shift_count: null,
        l_cache: null,
      },
    );
    assert.equal(a.full_attention_interval, 4);
    assert.equal(a.recurrent_layers, null);
    const arr = [true, false, true, true, false, true, true, true];
    const b = await mapped(qwen35Model({ recurrentLayers: arr }));
    assert.deepEqual(b.recurrent_layers, arr);
  });
});

describe("ggufToArchitecture: recurrent families and expert widths", () => {
  test("mamba2 and rwkv6 state dims; RWKV token_shift_count defaults to 2", async () => {
    const m = await mapped(mamba2Model());
    assert.equal(m.recurrent?.family, "mamba2");
    assert.equal(m.recurrent?.n_group, 2);
    assert.equal(m.recurrent?.d_state, 64);
    assert.equal(m.recurrent?.d_inner, 256);
    assert.equal(m.n_head, 0);
    assert.equal(m.key_length, null, "no heads, no head dim");
    const r = await mapped(rwkv6Model());
    assert.equal(r.recurrent?.family, "rwkv6");
    assert.equal(r.recurrent?.head_size, 64);
    assert.equal(r.recurrent?.token_shift_count, 2);
    assert.equal(r.n_head, null);
  });

  test("lfm2 with a sliding window: every attention layer is SWA", async () => {
    const a = await mapped(lfm2Model({ window: 256 })); // head_count_kv [0,0,1,0,0,1]
    assert.equal(a.sliding_window, 256);
    assert.deepEqual(a.sliding_window_pattern, [false, false, true, false, false, true]);
    assert.equal(a.recurrent?.l_cache, 3);
    const plain = await mapped(lfm2Model());
    assert.equal(plain.sliding_window, null);
  });

  test("per-layer expert widths map to the widest", async () => {
    const tiny = llamaModel();
    tiny.metadata["llama.expert_feed_forward_length"] = kv.arr.i32([64, 128, 96, 64]);
    tiny.metadata["llama.expert_used_count"] = kv.u32(2);
    const a = await mapped(tiny);
    assert.equal(a.expert_feed_forward_length, 128);
    assert.equal(a.expert_used_count, 2);
  });
});

describe("ggufToArchitecture refusals", () => {
  test("an unsupported architecture names itself; no generic fallback", async () => {
    const spec = metaOnly({
      "general.architecture": kv.str("starcoder2"),
      "starcoder2.block_count": kv.u32(30),
      ...tinyVocab(),
    });
    await assert.rejects(mapped(spec), (e: Error) => {
      assert.ok(e instanceof GgufMappingError);
      assert.equal(e.arch, "starcoder2");
      assert.match(e.message, /architecture "starcoder2" is not supported/);
      assert.match(e.message, /supported: .*qwen3/);
      return true;
    });
  });

  test("missing general.architecture", async () => {
    await assert.rejects(mapped(metaOnly(tinyVocab())), /no general\.architecture/);
  });

  test("a supported arch missing keys its loader requires lists them", async () => {
    const m = mamba2Model();
    delete m.metadata["mamba2.ssm.group_count"];
    delete m.metadata["mamba2.embedding_length"];
    await assert.rejects(mapped(m), (e: Error) => {
      assert.ok(e instanceof GgufMappingError);
      assert.deepEqual([...(e as GgufMappingError).missing].sort(), [
        "mamba2.embedding_length",
        "mamba2.ssm.group_count",
      ]);
      assert.match(e.message, /lacks keys mamba2\.embedding_length, mamba2\.ssm\.group_count/);
      return true;
    });
    const g = gemma3nModel();
    delete g.metadata["gemma3n.attention.sliding_window"];
    await assert.rejects(mapped(g), /gemma3n\.attention\.sliding_window/);
  });

  test("a per-layer array of the wrong length names the key", async () => {
    const q = qwen3Model();
    q.metadata["qwen3.attention.head_count_kv"] = kv.arr.i32([2, 2, 2]);
    await assert.rejects(mapped(q), /qwen3\.attention\.head_count_kv .*block_count = 4/);
  });

  test("a wrongly typed key names the key and the expected type", async () => {
    const q = qwen3Model();
    q.metadata["qwen3.block_count"] = kv.str("four");
    await assert.rejects(mapped(q), /qwen3\.block_count is "four", expected a non-negative integer/);
  });
});
