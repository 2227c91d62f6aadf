/**
 * Import by Hugging Face id through a local stand-in of the Hub's HTTP layout (tests/helpers/
 * hub-server.ts): published config.json files of catalog models (tests/fixtures/hf/sources.json
 * cites each) give the same breakdown as the matching preset; safetensors and GGUF are read by
 * range requests only; gated, missing and broken repos fail in words.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { startHubServer, jsonFile } from "../../helpers/hub-server.ts";
import type { HubFile, HubRepo, HubServer } from "../../helpers/hub-server.ts";
import { encodeGguf } from "../../helpers/gguf-writer.ts";
import { qwen3Model } from "../../helpers/gguf-models.ts";
import { importHf } from "../../../src/lib/import/hf-hub.ts";
import { hfConfigToArchitecture } from "../../../src/lib/import/hf-config.ts";
import { computeBreakdown } from "../../../src/lib/engine/index.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";

const FIX = join(REPO_ROOT, "tests/fixtures/hf");
const sources = JSON.parse(readFileSync(join(FIX, "sources.json"), "utf8")) as {
  configs: { repo: string; file: string; preset: string; differs?: Record<string, string> }[];
};
const configOf = (file: string): unknown => JSON.parse(readFileSync(join(FIX, file), "utf8"));

/** A safetensors file: 8-byte header length, the JSON header, then (virtual) zero data. */
function safetensors(tensors: Record<string, { dtype: string; shape: number[] }>, dataBytes: number): HubFile {
  let off = 0;
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  for (const [name, t] of Object.entries(tensors)) {
    const n = t.shape.reduce((a, b) => a * b, 1) * (t.dtype === "F32" ? 4 : 2);
    header[name] = { ...t, data_offsets: [off, off + n] };
    off += n;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const head = new Uint8Array(8 + json.length);
  new DataView(head.buffer).setBigUint64(0, BigInt(json.length), true);
  head.set(json, 8);
  return { head, size: head.length + Math.max(off, dataBytes) };
}

const GB = 1_000_000_000;
/** A tiny qwen3 GGUF served as its header followed by (virtual) zero tensor data. */
const qwenGguf = (): HubFile => {
  const { layout } = encodeGguf(qwen3Model());
  return { head: layout.header, size: Number(layout.fileSize) };
};

let hub: HubServer;
before(async () => {
  const hf: Record<string, HubRepo> = {};
  for (const c of sources.configs)
    hf[c.repo] = { files: { "config.json": jsonFile(configOf(c.file)) }, revs: ["v1.0"] };
  hf["test/sharded"] = {
    files: {
      "config.json": jsonFile(configOf("Qwen--Qwen3-4B.config.json")),
      "model.safetensors.index.json": jsonFile({
        metadata: { total_size: 8 * GB },
        weight_map: {
          "model.embed_tokens.weight": "model-00001-of-00002.safetensors",
          "model.norm.weight": "model-00002-of-00002.safetensors",
        },
      }),
      "model-00001-of-00002.safetensors": safetensors(
        { "model.embed_tokens.weight": { dtype: "BF16", shape: [151936, 2560] } },
        4 * GB,
      ),
      "model-00002-of-00002.safetensors": safetensors({ "model.norm.weight": { dtype: "F32", shape: [2560] } }, 4 * GB),
    },
  };
  hf["test/gguf-GGUF"] = {
    files: {
      "README.md": jsonFile("readme"),
      "tiny-Q4_K_M.gguf": qwenGguf(),
      "tiny-Q8_0.gguf": qwenGguf(),
      "mmproj-tiny-F16.gguf": qwenGguf(),
    },
  };
  hf["test/gated"] = { files: {}, status: 401 };
  hf["test/gated-gguf-GGUF"] = {
    files: { "m-Q4_K_M.gguf": { head: new Uint8Array(0), size: 1 } },
    resolveStatus: 401,
  };
  hf["test/forbidden"] = { files: {}, status: 403 };
  hf["test/broken"] = { files: {}, status: 500 };
  hf["test/unknown-class"] = { files: { "config.json": jsonFile({ architectures: ["FancyForCausalLM"] }) } };
  hf["test/missing-key"] = {
    files: {
      "config.json": jsonFile({ ...(configOf("Qwen--Qwen3-8B.config.json") as object), hidden_size: undefined }),
    },
  };
  hf["test/no-range"] = {
    files: {
      "config.json": jsonFile(configOf("Qwen--Qwen3-8B.config.json")),
      "model.safetensors": { ...safetensors({ w: { dtype: "BF16", shape: [4, 4] } }, 2 * GB), ignoreRange: true },
    },
  };
  hub = await startHubServer({ hf });
});
after(() => hub.close());

const CONFIGS = [
  { n_ctx: 32768, weights_ftype: "Q4_K_M" },
  { n_ctx: 8192, type_k: "q8_0", type_v: "q8_0", weights_ftype: "Q8_0", n_seq: 4, kv_unified: true },
];

for (const c of sources.configs) {
  test(`hf:${c.repo} gives the same breakdown as the preset ${c.preset}`, async () => {
    const r = await importHf(c.repo, { endpoint: hub.base });
    assert.equal(r.kind, "config");
    if (r.kind !== "config") return;
    const preset = JSON.parse(readFileSync(join(REPO_ROOT, "data/models", `${c.preset}.json`), "utf8"));
    const presetArch = ArchitectureSchema.parse(preset.architecture);
    // a dense model's expert counts: the presets say 0, the GGUF mapping null (no key) — the same
    const norm = (k: string, v: unknown) => (/^expert_(count|used_count|shared_count)$/.test(k) ? (v ?? 0) : v);
    for (const k of Object.keys(presetArch) as (keyof typeof presetArch)[]) {
      if (k === "name" || k === "n_params" || k === "n_params_active" || c.differs?.[k]) continue;
      assert.deepEqual(norm(k, r.arch.architecture[k]), norm(k, presetArch[k]), `${c.repo}: ${k}`);
    }
    for (const cfg of CONFIGS) {
      const config = RuntimeConfigSchema.parse(cfg);
      const a = computeBreakdown(r.arch.architecture, config);
      const b = computeBreakdown(presetArch, config);
      assert.equal(a.weights.estimate, false, "weights come from the exact tensor-table builder");
      for (const part of ["kv", "recurrent", "weights", "compute", "total"] as const)
        assert.equal(a[part].bytes, b[part].bytes, `${c.repo} ${part} at ${JSON.stringify(cfg)}`);
    }
    // a file list and config.json: two small JSON documents, nothing else
    assert.equal(r.requests, 2);
    assert.ok(r.bytes < 4096, `${r.bytes} B fetched`);
  });
}

test("hf:<repo>@<rev> reads that revision; an unknown revision is a 404 in words", async () => {
  const r = await importHf("Qwen/Qwen3-8B@v1.0", { endpoint: hub.base });
  assert.equal(r.spec.rev, "v1.0");
  assert.ok(hub.log.some((l) => l.url === "/Qwen/Qwen3-8B/resolve/v1.0/config.json"));
  await assert.rejects(
    importHf("Qwen/Qwen3-8B@nope", { endpoint: hub.base }),
    /HTTP 404: repo Qwen\/Qwen3-8B@nope does not exist/,
  );
});

test("sharded safetensors: exact parameter count and dtypes from the headers alone (range requests)", async () => {
  const before = hub.log.length;
  const r = await importHf("test/sharded", { endpoint: hub.base });
  assert.equal(r.kind, "config");
  if (r.kind !== "config") return;
  assert.equal(r.safetensors?.nParams, 151936 * 2560 + 2560);
  assert.deepEqual(r.safetensors?.dtypes, { BF16: 151936 * 2560, F32: 2560 });
  assert.equal(r.arch.architecture.n_params, 151936 * 2560 + 2560);
  assert.equal(r.arch.architecture.tied_embeddings, true, "no lm_head.weight in the checkpoint");
  const log = hub.log.slice(before);
  const sent = log.reduce((s, l) => s + l.bytes, 0);
  assert.equal(r.bytes, sent, "the meter counts every byte the server sent");
  assert.ok(sent < 10_000, `${sent} B for an 8 GB checkpoint`);
  assert.ok(log.filter((l) => l.url.startsWith("/cdn/")).every((l) => l.status === 206));
});

test("a GGUF repo: the ftype or --gguf-file picks a file, its header is read by ranges, mmproj files are not candidates", async () => {
  await assert.rejects(importHf("test/gguf-GGUF", { endpoint: hub.base }), /2 GGUF files; choose one with --gguf-file/);
  const r = await importHf("test/gguf-GGUF", { endpoint: hub.base, ftype: "Q8_0" });
  assert.equal(r.kind, "gguf");
  if (r.kind !== "gguf") return;
  assert.equal(r.file, "tiny-Q8_0.gguf");
  assert.equal(r.headers[0].metadata["general.architecture"], "qwen3");
  const r2 = await importHf("test/gguf-GGUF", { endpoint: hub.base, ggufFile: "tiny-Q4_K_M.gguf" });
  assert.equal(r2.kind === "gguf" && r2.file, "tiny-Q4_K_M.gguf");
  await assert.rejects(
    importHf("test/gguf-GGUF", { endpoint: hub.base, ftype: "IQ2_XS" }),
    /no GGUF files for ftype IQ2_XS/,
  );
});

test("gated (401/403), missing (404) and failing (500) repos get a clear message", async () => {
  await assert.rejects(
    importHf("test/gated", { endpoint: hub.base }),
    /HTTP 401: repo test\/gated@main is gated or private/,
  );
  await assert.rejects(importHf("test/forbidden", { endpoint: hub.base }), /HTTP 403: .* gated or private/);
  await assert.rejects(
    importHf("test/absent", { endpoint: hub.base }),
    /HTTP 404: repo test\/absent@main does not exist/,
  );
  await assert.rejects(importHf("test/broken", { endpoint: hub.base }), /HTTP 500/);
  // a gated GGUF repo lists its files but refuses the download
  await assert.rejects(
    importHf("test/gated-gguf-GGUF", { endpoint: hub.base }),
    /m-Q4_K_M\.gguf: HTTP 401: m-Q4_K_M\.gguf is gated or private/,
  );
  await assert.rejects(importHf("../etc", { endpoint: hub.base }), /not a Hugging Face repo id/);
});

test("a server that ignores Range is refused, not downloaded", async () => {
  await assert.rejects(importHf("test/no-range", { endpoint: hub.base }), /ignored the Range request|above the limit/);
});

test("unknown model class or a missing key: an error naming the key", async () => {
  await assert.rejects(
    importHf("test/unknown-class", { endpoint: hub.base }),
    /model class "FancyForCausalLM" \(key "architectures"\) is not supported/,
  );
  await assert.rejects(importHf("test/missing-key", { endpoint: hub.base }), /key "hidden_size" is missing/);
  assert.throws(
    () => hfConfigToArchitecture({ architectures: ["Qwen3ForCausalLM"], num_attention_heads: "32" }),
    /key "num_attention_heads" is "32"/,
  );
});

test("npm run calc -- --model hf:<id> prints the preset's figures and the bytes fetched", async () => {
  const run = (...a: string[]) =>
    promisify(execFile)(process.execPath, [join(REPO_ROOT, "scripts/calc.ts"), ...a], { cwd: REPO_ROOT });
  const hf = await run("--model", "hf:Qwen/Qwen3-8B", "--ctx", "16k", "--json", "--hf-endpoint", hub.base);
  const preset = await run("--model", "qwen3-8b", "--ctx", "16k", "--weights", "Q4_K_M", "--json");
  const a = JSON.parse(hf.stdout);
  const b = JSON.parse(preset.stdout);
  assert.equal(a.total.bytes, b.total.bytes);
  assert.equal(a.weights.bytes, b.weights.bytes);
  assert.match(a.import_notes[0], /^fetched \d[\d,]* B in 2 requests/);
  const text = await run("--model", "hf:Qwen/Qwen3-8B", "--hf-endpoint", hub.base);
  assert.match(text.stdout, /mapped Qwen3ForCausalLM → llama\.cpp qwen3/);
  assert.match(text.stdout, /weights: Q4_K_M \(the default for an imported config/);
  await assert.rejects(
    run("--model", "hf:test/gated", "--hf-endpoint", hub.base),
    (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stderr, /gated or private/);
      return true;
    },
  );
});
