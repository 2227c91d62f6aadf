import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { writeGguf } from "../../helpers/gguf-writer.ts";
import { GEMMA3_SIGLIP, gemma3Mmproj } from "../../helpers/mmproj-models.ts";
import { readGgufHeader } from "../../../src/lib/gguf/node.ts";
import { visionProjector } from "../../../src/lib/engine/vision.ts";
import { computeView, type CalcView } from "../../../src/lib/calculator/view.ts";
import { DEFAULT_STATE, type CalcState } from "../../../src/lib/calculator/state.ts";
import { visionUse, withVision } from "../../../src/lib/calculator/vision-view.ts";
import type { LoadedProjector } from "../../../src/lib/calculator/vision-load.ts";
import { loadCatalog } from "./load-catalog.ts";
import { CUDA_F16 } from "../../helpers/calc-states.ts";

const catalog = loadCatalog();
let tmp: string;
let proj: LoadedProjector;
let tensorBytes: number;
before(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), "vision-view-"));
  const file = path.join(tmp, "mmproj-gemma3.gguf");
  await writeGguf(file, gemma3Mmproj({ ...GEMMA3_SIGLIP, textEmbd: 5376 }));
  const h = await readGgufHeader(file);
  tensorBytes = h.tensorBytes;
  proj = { name: "mmproj-gemma3.gguf", url: null, projector: visionProjector(h) };
});
after(() => rmSync(tmp, { recursive: true, force: true }));

const CUDA: Partial<CalcState> = {
  model: "gemma-3-27b",
  ...CUDA_F16,
  hardware: "nvidia-rtx-4090",
  budget: "generic-gpu",
  ctx: 16384,
};
function both(patch: Partial<CalcState>): { base: CalcView; vis: CalcView; state: CalcState } {
  const state = { ...DEFAULT_STATE, ...patch };
  const base = computeView({ state, catalog, loaded: null, extraRuns: [] });
  const { reserve } = visionUse(proj, state);
  const vis = withVision(computeView({ state, catalog, loaded: null, extraRuns: [], reserve }), proj, state);
  return { base, vis, state };
}
const comp = (v: CalcView, key: string) => v.c.components.find((c) => c.key === key);

describe("vision projector in the calculator view", () => {
  test("projector weights exact, encoder compute labelled estimate, on the GPU, in totals and verdict", () => {
    const { base, vis } = both({ ...CUDA, images: 2 });
    assert.equal(base.c.error, null);
    const w = comp(vis, "vision")!;
    assert.equal(w.bytes, tensorBytes);
    assert.equal(w.estimate, false);
    const c = comp(vis, "vision-compute")!;
    assert.equal(c.bytes, proj.projector.computeBytes);
    assert.equal(c.estimate, true);
    assert.deepEqual(c.range, [Math.round(c.bytes * 0.9), Math.round(c.bytes * 1.1)]);
    const add = tensorBytes + c.bytes;
    assert.equal(vis.c.device, base.c.device + add);
    assert.equal(vis.c.total, base.c.total + add);
    assert.equal(vis.c.poolBytes, base.c.poolBytes + add);
    assert.equal(vis.c.verdict.headroomBytes, base.c.verdict.headroomBytes! - add);
    assert.match(comp(vis, "vision-cells")!.detail, /2 image\(s\) × 256 tokens = 512 KV cells/);
    // The chart lines move by the same bytes; the budget line does not.
    const sel = (v: CalcView) => v.s.chart.series.find((s) => s.selected)!;
    assert.equal(sel(vis).points[0].bytes, sel(base).points[0].bytes + add);
    assert.equal(vis.s.chart.budgetBytes, base.s.chart.budgetBytes);
    assert.equal(vis.c.current!.bytes, base.c.current!.bytes + add);
  });

  test("the largest context counts the projector", () => {
    const { base, vis } = both({ ...CUDA, totalBytes: 20_000_000_000 });
    const row = (v: CalcView) => v.s.maxTable.find((r) => r.selected)!;
    assert.ok(row(base).maxCtx !== null && row(vis).maxCtx !== null);
    assert.ok(row(vis).maxCtx! < row(base).maxCtx!, `${row(vis).maxCtx} < ${row(base).maxCtx}`);
  });

  test("--no-mmproj-offload keeps it in host memory; commands carry the flags", () => {
    const { base, vis } = both({ ...CUDA, mmprojOffload: false });
    const add = tensorBytes + proj.projector.computeBytes!;
    assert.equal(vis.c.device, base.c.device);
    assert.equal(vis.c.host, base.c.host + add);
    assert.equal(comp(vis, "vision")!.device, 0);
    const server = vis.c.commands.find((c) => c.engine === "llama-server")!;
    assert.match(server.text!, / --mmproj mmproj-gemma3\.gguf --no-mmproj-offload$/);
    const on = both(CUDA).vis.c.commands.find((c) => c.engine === "llama-server")!;
    assert.match(on.text!, / --mmproj mmproj-gemma3\.gguf$/);
    for (const c of vis.c.commands.filter((x) => x.engine !== "llama-server")) assert.equal(c.exact, false);
  });

  test("a projector read from a URL is named with --mmproj-url", () => {
    const url = "https://example.org/m/mmproj-gemma3.gguf";
    const state = { ...DEFAULT_STATE, ...CUDA, mmproj: url };
    const p = { ...proj, url };
    const v = withVision(computeView({ state, catalog, loaded: null, extraRuns: [] }), p, state);
    assert.match(
      v.c.commands.find((c) => c.engine === "llama-server")!.text!,
      / --mmproj-url https:\/\/example\.org\/m\/mmproj-gemma3\.gguf$/,
    );
  });

  test("on the CPU backend the projector is host memory", () => {
    const state = { ...DEFAULT_STATE, ...CUDA, backend: "cpu" as const };
    const compute = proj.projector.computeBytes!;
    assert.deepEqual(visionUse(proj, state).reserve, {
      device: 0,
      host: tensorBytes + compute,
      weights: tensorBytes,
      compute,
    });
  });
});
