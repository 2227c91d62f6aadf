/** GGUF header read of a large local file: bytes read and time, never the weights. */
import { rmSync } from "node:fs";
import path from "node:path";
import { readGgufHeaderFromPath } from "../../../src/lib/gguf/node.ts";
import { READ_CHUNK } from "../../../src/lib/gguf/header.ts";
import { writeGguf } from "../../../tests/helpers/gguf-writer.ts";
import { qwen3Model } from "../../../tests/helpers/gguf-models.ts";
import type { Measure } from "../measure.ts";

export const ggufHeaderRead: Measure = {
  name: "gguf: header read of a >10 GB sparse local file (152k-token vocabulary)",
  quick: true,
  warmup: 1,
  repeats: { full: 9, quick: 3 },
  figures: [
    { key: "ms", unit: "ms", budget: { value: 100, cmp: "<=", source: "issue 3" } },
    { key: "bytesRead", unit: "B" },
    { key: "headerBytes", unit: "B" },
    { key: "overread", unit: "chunks", budget: { value: 1, cmp: "<=", source: "issue 3: header plus one read chunk" } },
  ],
  setup: async (ctx) => {
    // A Qwen3-sized vocabulary makes a multi-MB header; one big zero tensor pads the file past
    // 10 GB as a sparse file, so the disk is not touched.
    const model = qwen3Model({ nVocab: 151_936, nEmbd: 5120, nLayer: 40, nHead: 40, nHeadKv: 8, nFf: 17408 });
    model.tensors = [...model.tensors, { name: "pad.weight", shape: [5120, 5120, 320], type: "f16" }];
    const file = path.join(ctx.tmpDir, "big.gguf");
    await writeGguf(file, model);
    ctx.state.file = file;
  },
  sample: async (ctx) => {
    const start = performance.now();
    const h = await readGgufHeaderFromPath(ctx.state.file as string);
    const ms = performance.now() - start;
    return {
      ms,
      bytesRead: h.bytesRead,
      headerBytes: h.dataOffset,
      overread: (h.bytesRead - h.dataOffset) / READ_CHUNK,
    };
  },
  teardown: (ctx) => rmSync(ctx.state.file as string, { force: true }),
};
