/**
 * Gemma 3 configs that omit keys (tests/fixtures/hf/google--gemma-3-27b-it.omitted-keys.json):
 * the import fills them with transformers' Gemma3TextConfig defaults, as llama.cpp's converter
 * does through AutoConfig, and says which; a class without declared defaults still refuses.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { startHubServer, jsonFile } from "../../helpers/hub-server.ts";
import type { HubServer } from "../../helpers/hub-server.ts";
import { hfConfigToArchitecture } from "../../../src/lib/import/hf-config.ts";
import { computeBreakdown } from "../../../src/lib/engine/index.ts";
import { RuntimeConfigSchema } from "../../../src/schemas/runtime-config.ts";
import { ArchitectureSchema } from "../../../src/schemas/architecture.ts";

const fixture = JSON.parse(
  readFileSync(join(REPO_ROOT, "tests/fixtures/hf/google--gemma-3-27b-it.omitted-keys.json"), "utf8"),
) as { config: { text_config: Record<string, unknown> } & Record<string, unknown> };
const preset = ArchitectureSchema.parse(
  JSON.parse(readFileSync(join(REPO_ROOT, "data/models/gemma-3-27b.json"), "utf8")).architecture,
);

let hub: HubServer;
before(async () => {
  hub = await startHubServer({
    hf: { "google/gemma-3-27b-it": { files: { "config.json": jsonFile(fixture.config) } } },
  });
});
after(() => hub.close());

test("omitted vocab_size / max_position_embeddings take Gemma3TextConfig's defaults; the rest equals the preset", () => {
  const r = hfConfigToArchitecture(fixture.config);
  assert.deepEqual(r.defaulted, [
    "max_position_embeddings = 131072 (Gemma3TextConfig default)",
    "vocab_size = 262208 (Gemma3TextConfig default)",
  ]);
  const a = r.architecture;
  assert.equal(a.context_length, preset.context_length);
  // the converter sizes the vocabulary by the tokenizer (262 144 rows in the published GGUFs); the config default counts 64 more
  assert.equal(a.vocab_size, 262208);
  assert.equal(preset.vocab_size, 262144);
  for (const k of [
    "block_count",
    "n_embd",
    "n_head",
    "n_head_kv",
    "key_length",
    "value_length",
    "sliding_window",
  ] as const)
    assert.equal(a[k], preset[k], k);
  const config = RuntimeConfigSchema.parse({ n_ctx: 32768, weights_ftype: "Q4_K_M" });
  assert.equal(computeBreakdown(a, config).kv.bytes, computeBreakdown(preset, config).kv.bytes);
});

test("a Gemma 3 text config without head_dim takes 256; a Llama config without a key still refuses", () => {
  const t = { ...fixture.config.text_config };
  delete t.head_dim;
  const r = hfConfigToArchitecture({ ...fixture.config, text_config: t });
  assert.equal(r.architecture.key_length, 256);
  assert.ok(r.defaulted.includes("head_dim = 256 (Gemma3TextConfig default)"));
  assert.throws(
    () => hfConfigToArchitecture({ architectures: ["LlamaForCausalLM"], num_attention_heads: 32 }),
    /key "max_position_embeddings" is missing/,
  );
});

test("npm run calc -- --model hf:google/gemma-3-27b-it names the defaults it applied", async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(REPO_ROOT, "scripts/calc.ts"), "--model", "hf:google/gemma-3-27b-it", "--ctx", "8k", "--json"],
    { cwd: REPO_ROOT, env: { ...process.env, HF_ENDPOINT: hub.base } },
  );
  const notes = (JSON.parse(stdout) as { import_notes: string[] }).import_notes.join("\n");
  assert.match(notes, /omits 2 key\(s\), taken from the transformers defaults as llama\.cpp's converter does/);
  assert.match(notes, /vocab_size = 262208 \(Gemma3TextConfig default\)/);
  assert.match(notes, /sizes the embedding by the tokenizer instead/);
});
