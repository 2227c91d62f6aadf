/**
 * Import by Ollama tag through a local stand-in of the registry (tests/helpers/hub-server.ts):
 * manifest → model layer (a GGUF) and projector layer (an mmproj GGUF), headers read by range
 * requests after the blob redirect. The result equals reading the same GGUF from a local path.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { createHash } from "node:crypto";
import { REPO_ROOT } from "../../helpers/engine.ts";
import { startHubServer } from "../../helpers/hub-server.ts";
import type { HubFile, HubServer } from "../../helpers/hub-server.ts";
import { encodeGguf, kv, writeGguf } from "../../helpers/gguf-writer.ts";
import type { GgufFileSpec } from "../../helpers/gguf-writer.ts";
import { qwen3Model } from "../../helpers/gguf-models.ts";
import { importOllama, parseOllamaSpec } from "../../../src/lib/import/ollama.ts";
import { importModel } from "../../../scripts/calc/import-model.ts";
import { loadModel } from "../../../scripts/calc/load-model.ts";

/** A small CLIP-style projector header (architecture `clip`, F16 matrices). */
const PROJECTOR: GgufFileSpec = {
  metadata: {
    "general.architecture": kv.str("clip"),
    "clip.has_vision_encoder": kv.bool(true),
    "clip.vision.embedding_length": kv.u32(64),
    "clip.vision.block_count": kv.u32(1),
  },
  tensors: [
    { name: "v.patch_embd.weight", shape: [14, 14, 3, 64], type: "f16" },
    { name: "v.blk.0.attn_q.weight", shape: [64, 64], type: "f16" },
    { name: "mm.0.weight", shape: [64, 128], type: "f16" },
  ],
};

const served = (spec: GgufFileSpec): { file: HubFile; digest: string; size: number } => {
  const { layout } = encodeGguf(spec);
  const digest = `sha256:${createHash("sha256").update(layout.header).digest("hex")}`;
  return { file: { head: layout.header, size: Number(layout.fileSize) }, digest, size: Number(layout.fileSize) };
};

const model = served(qwen3Model());
const proj = served(PROJECTOR);
let hub: HubServer;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "cc-ollama-"));
  const layer = (mediaType: string, b: { digest: string; size: number }) => ({
    mediaType,
    digest: b.digest,
    size: b.size,
  });
  hub = await startHubServer({
    ollama: {
      "library/tiny:4b": {
        manifest: {
          schemaVersion: 2,
          layers: [
            layer("application/vnd.ollama.image.model", model),
            layer("application/vnd.ollama.image.projector", proj),
            { mediaType: "application/vnd.ollama.image.template", digest: `sha256:${"0".repeat(64)}`, size: 10 },
          ],
        },
        blobs: { [model.digest]: model.file, [proj.digest]: proj.file },
      },
      "library/textonly:latest": {
        manifest: { layers: [layer("application/vnd.ollama.image.model", model)] },
        blobs: { [model.digest]: model.file },
      },
      "library/bad:latest": { manifest: { layers: [{ mediaType: "x", digest: "sha256:../../etc" }] }, blobs: {} },
    },
  });
});
after(async () => {
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

test("tag parsing: name[:tag], namespace/name[:tag], latest by default; junk refused", () => {
  assert.deepEqual(parseOllamaSpec("qwen3.5:27b"), { namespace: "library", name: "qwen3.5", tag: "27b" });
  assert.deepEqual(parseOllamaSpec("user/model"), { namespace: "user", name: "model", tag: "latest" });
  assert.throws(() => parseOllamaSpec("../x:1"), /not an Ollama tag/);
  assert.throws(() => parseOllamaSpec("a b"), /not an Ollama tag/);
});

test("manifest → model and projector GGUF headers by range requests after the blob redirect", async () => {
  const start = hub.log.length;
  const r = await importOllama("tiny:4b", { registry: hub.base });
  assert.equal(r.model.header.metadata["general.architecture"], "qwen3");
  assert.equal(r.projector?.header.metadata["general.architecture"], "clip");
  // projector weights exactly: Σ ggml_nbytes of its tensor table (F16: 2 B per element)
  assert.equal(r.projector?.header.tensorBytes, (14 * 14 * 3 * 64 + 64 * 64 + 64 * 128) * 2);
  const log = hub.log.slice(start);
  assert.ok(log.some((l) => l.url === "/v2/library/tiny/manifests/4b"));
  assert.ok(log.some((l) => l.status === 307 && l.url.startsWith("/v2/library/tiny/blobs/sha256:")));
  assert.ok(log.filter((l) => l.url.startsWith("/cdn/")).every((l) => l.status === 206));
  assert.equal(
    r.bytes,
    log.reduce((s, l) => s + l.bytes, 0),
  );
});

test("ollama:<tag> gives the GGUF path's exact figures", async () => {
  const path = join(dir, "tiny.gguf");
  await writeGguf(path, qwen3Model());
  const local = await loadModel(path);
  const remote = await importModel("ollama:tiny:4b", { ollamaRegistry: hub.base });
  assert.deepEqual(remote.architecture, local.architecture);
  assert.deepEqual(remote.tensors, local.tensors);
  assert.equal(remote.tensorsFtype, local.tensorsFtype);
  assert.match(
    remote.notes?.[0] ?? "",
    /^fetched [\d,]+ B in \d+ requests \(manifest, model GGUF header, projector GGUF header\)/,
  );
  assert.match(remote.notes?.[1] ?? "", /projector blob: .* of tensors \(exact, 3 tensors, clip\)/);
  const textOnly = await importModel("ollama:textonly", { ollamaRegistry: hub.base });
  assert.equal(textOnly.notes?.length, 1);
});

test("a missing tag, a bad manifest and a bad registry setting fail in words", async () => {
  await assert.rejects(importOllama("nope:1b", { registry: hub.base }), /HTTP 404: no such model or tag nope:1b/);
  await assert.rejects(importOllama("bad", { registry: hub.base }), /digest that is not sha256:<64 hex>/);
  await assert.rejects(
    importModel("ollama:tiny:4b", { ollamaRegistry: "ftp://x" }),
    /OLLAMA_REGISTRY: "ftp:\/\/x" is not an http\(s\) URL/,
  );
});

test("npm run calc -- --model ollama:<tag> honours OLLAMA_REGISTRY", async () => {
  const r = await promisify(execFile)(
    process.execPath,
    [join(REPO_ROOT, "scripts/calc.ts"), "--model", "ollama:tiny:4b", "--ctx", "4k", "--json"],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, OLLAMA_REGISTRY: hub.base },
    },
  );
  const b = JSON.parse(r.stdout);
  assert.equal(b.weights.estimate, false);
  assert.match(b.import_notes.join("\n"), /projector blob/);
});
