/**
 * Placement per device (src/lib/engine/placement): one test per loader rule of llama.cpp de3ff81
 * (src/llama.cpp device list, src/llama-model.cpp load_tensors split, src/llama-model-loader.cpp
 * create_tensor buffer choice). Real llama.cpp RPC runs are checked in placement-rpc.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { arch, cfg, fixture, REPO_ROOT } from "../../helpers/engine.ts";
import { buildTensorTable, EngineError, tensorBytes } from "../../../src/lib/engine/index.ts";
import {
  assignLayers,
  orderDevices,
  placeModel,
  placeTensors,
  splitPoints,
} from "../../../src/lib/engine/placement/index.ts";
import { PlacementSchema } from "../../../src/schemas/placement.ts";
import type { PlacementInput } from "../../../src/schemas/placement.ts";

const GiB = 1024 ** 3;
const q14 = fixture("qwen3-14b"); // 40 blocks
const table = buildTensorTable(q14, "F16");
const P = (p: PlacementInput) => PlacementSchema.parse(p);
const two = (ts: number[] = []) =>
  P({
    devices: [
      { kind: "cuda", name: "a", memory_bytes: 24 * GiB },
      { kind: "cuda", name: "b", memory_bytes: 24 * GiB },
    ],
    tensor_split: ts,
  });

test("RPC devices go to the front of the list and are named RPC<n>[host:port]", () => {
  const d = orderDevices(
    P({
      devices: [
        { kind: "cuda", name: "x", memory_bytes: GiB },
        { kind: "rpc", name: "r", endpoint: "127.0.0.1:50052", memory_bytes: GiB },
        { kind: "rpc", name: "s", endpoint: "127.0.0.1:50053", memory_bytes: GiB },
      ],
    }),
  );
  assert.deepEqual(
    d.map((x) => x.buft),
    ["RPC0[127.0.0.1:50052]", "RPC0[127.0.0.1:50053]", "CUDA0"],
  );
});

test("split points: cumulative -ts proportions, else free memory, in float32", () => {
  const devs = orderDevices(two());
  assert.deepEqual(splitPoints(devs, [3, 1]), [0.75, 1]);
  assert.deepEqual(splitPoints(devs, []), [0.5, 1]);
  const free = orderDevices(
    P({
      devices: [
        { kind: "cuda", name: "a", memory_bytes: 24 * GiB, free_bytes: 8 * GiB },
        { kind: "cuda", name: "b", memory_bytes: 24 * GiB, free_bytes: 24 * GiB },
      ],
    }),
  );
  assert.deepEqual(splitPoints(free, []), [0.25, 1]);
});

test("layers: i_gpu_start = n_layer+1-ngl, upper_bound on the split points, output layer last", () => {
  // 40 blocks + output = 41 layers on two equal devices: x = il/41 < 0.5 → device 0 for il ≤ 20
  const l = assignLayers(40, -1, [0.5, 1]);
  assert.equal(l.length, 41);
  assert.equal(l.filter((d) => d === 0).length, 21);
  assert.equal(l[20], 0);
  assert.equal(l[21], 1);
  // -ngl 11: blocks 30..39 + output offloaded; blocks 0..29 on the CPU
  const p = assignLayers(40, 11, [1]);
  assert.equal(p.filter((d) => d === null).length, 30);
  assert.equal(p[29], null);
  assert.equal(p[30], 0);
  assert.deepEqual(
    assignLayers(40, 0, [1]).filter((d) => d !== null),
    [],
  );
});

test("-sm none keeps only device -mg; -mg and -ts out of range, row split refused", () => {
  const none = P({ ...two(), split_mode: "none", main_gpu: 1 });
  assert.deepEqual(
    orderDevices(none).map((d) => d.buft),
    ["CUDA1"],
  );
  const bad = (p: PlacementInput, re: RegExp) =>
    assert.throws(
      () => orderDevices(P(p)),
      (e: unknown) => e instanceof EngineError && re.test(e.message),
    );
  bad({ ...two(), split_mode: "none", main_gpu: 2 }, /-mg 2 is out of range/);
  bad({ ...two(), tensor_split: [1, 1, 1] }, /-ts has 3 values but there are 2 devices/);
  bad(
    { devices: [{ kind: "metal", name: "m", memory_bytes: GiB }], split_mode: "row" },
    /device MTL0 does not support split buffers/,
  );
  // ggml-cuda at de3ff81 exports no split buffer type either (read from source, not run on a GPU)
  bad({ ...two(), split_mode: "row" }, /device CUDA0 does not support split buffers/);
});

test("-sm row over an RPC device: the engine refuses it with llama.cpp's own load error", () => {
  const fix = JSON.parse(readFileSync(join(REPO_ROOT, "tests/fixtures/placement/sm-row-runs.json"), "utf8"));
  const run = fix.runs[0];
  assert.equal(run.exit_code, 1);
  const said = /error loading model: (.*)$/.exec(run.error_lines[0])![1];
  const rpc = { kind: "rpc" as const, name: "r", endpoint: "127.0.0.1:50999", memory_bytes: GiB };
  assert.throws(
    () => orderDevices(P({ devices: [rpc], split_mode: "row" })),
    (e: unknown) => e instanceof EngineError && e.message.includes(said),
  );
});

test("-ot: the first matching pattern wins; an unknown buffer type or a pattern matching nothing is refused", () => {
  const devs = orderDevices(two());
  const layers = assignLayers(40, -1, [0.5, 1]);
  const p = P({
    ...two(),
    overrides: [
      { pattern: String.raw`blk\.0\.ffn_up`, buft: "CUDA1" },
      { pattern: String.raw`ffn_up`, buft: "CPU" },
    ],
  });
  const t = placeTensors(table, devs, layers, p);
  assert.equal(t.where.get("blk.0.ffn_up.weight"), "CUDA1");
  assert.equal(t.where.get("blk.1.ffn_up.weight"), "CPU_Mapped");
  assert.equal(t.where.get("blk.39.ffn_up.weight"), "CPU_Mapped");
  assert.equal(t.where.get("blk.1.ffn_down.weight"), "CUDA0");
  assert.throws(
    () => placeTensors(table, devs, layers, P({ ...two(), overrides: [{ pattern: "nope", buft: "CPU" }] })),
    /matches no tensor/,
  );
  assert.throws(
    () => placeTensors(table, devs, layers, P({ ...two(), overrides: [{ pattern: "ffn", buft: "CUDA7" }] })),
    /unknown buffer type/,
  );
});

test("mmap: CPU_Mapped is the file span from the first to the last host tensor; touched is their sum", () => {
  const devs = orderDevices(P({ devices: [{ kind: "cuda", name: "a", memory_bytes: 80 * GiB }] }));
  const layers = assignLayers(40, -1, [1]);
  const p = P({
    devices: [{ kind: "cuda", name: "a", memory_bytes: 80 * GiB }],
    overrides: [{ pattern: String.raw`blk\.(3|5)\.ffn_up`, buft: "CPU" }],
  });
  const t = placeTensors(table, devs, layers, p);
  const host = t.buffers.find((b) => b.dev === null)!;
  const byName = new Map(table.map((x) => [x.name, tensorBytes(x)]));
  const touched =
    byName.get("token_embd.weight")! + byName.get("blk.3.ffn_up.weight")! + byName.get("blk.5.ffn_up.weight")!;
  assert.equal(host.touched, touched);
  // the span runs from token_embd to the end of blk.5.ffn_up; in llama-quantize's file order the
  // non-layer tensors come first by name (output, output_norm, token_embd), then the layers
  let off = 0;
  let start = 0;
  let end = 0;
  for (const x of table) {
    if (x.name === "token_embd.weight") start = off;
    if (x.name === "blk.5.ffn_up.weight") end = off + tensorBytes(x);
    off += Math.ceil(tensorBytes(x) / 32) * 32;
  }
  assert.deepEqual(
    table.slice(0, 3).map((x) => x.name),
    ["output.weight", "output_norm.weight", "token_embd.weight"],
  );
  assert.equal(host.bytes, end - start);
  assert.ok(host.bytes > host.touched);
});

test("no mmap: host weights are one pinned buffer (CUDA_Host) of the summed 32-byte-aligned sizes", () => {
  const p = P({ devices: [{ kind: "cuda", name: "a", memory_bytes: 80 * GiB }], load_mode: "none" });
  const r = placeModel(q14, cfg({ n_ctx: 4096, n_gpu_layers: 21 }), p, table);
  const host = r.buffers.find((b) => b.kind === "weights" && b.pool === "host")!;
  assert.equal(host.name, "CUDA_Host");
  assert.equal(host.touched_bytes, undefined);
  const layers20 = table.filter((x) => x.name === "token_embd.weight" || /^blk\.([0-9]|1[0-9])\./.test(x.name));
  assert.equal(
    host.bytes,
    layers20.reduce((s, x) => s + Math.ceil(tensorBytes(x) / 32) * 32, 0),
  );
});

test("--n-cpu-moe N and --cpu-moe are the expert patterns of common.h", () => {
  const moe = arch(JSON.parse(readFileSync(join(REPO_ROOT, "data/models/qwen3-30b-a3b.json"), "utf8")).architecture);
  const t = buildTensorTable(moe, "F16");
  const p = P({ devices: [{ kind: "cuda", name: "a", memory_bytes: 80 * GiB }], n_cpu_moe: 2 });
  const r = placeTensors(t, orderDevices(p), assignLayers(moe.block_count, -1, [1]), p);
  const onHost = [...r.where].filter(([, b]) => b === "CPU_Mapped").map(([n]) => n);
  assert.ok(onHost.includes("blk.1.ffn_down_exps.weight"));
  assert.ok(!onHost.includes("blk.2.ffn_down_exps.weight"));
  assert.ok(!onHost.some((n) => n.startsWith("blk.0.attn") || n.includes("gate_inp")));
  const all = P({ devices: [{ kind: "cuda", name: "a", memory_bytes: 80 * GiB }], cpu_moe: true });
  const r2 = placeTensors(t, orderDevices(all), assignLayers(moe.block_count, -1, [1]), all);
  assert.equal([...r2.where].filter(([n, b]) => b === "CPU_Mapped" && n.includes("_exps")).length, 3 * moe.block_count);
});

test("KV on the device of its layer; --no-kv-offload → CPU; output buffer pinned only when the output layer is on a GPU", () => {
  const c = cfg({ n_ctx: 4096 });
  const r = placeModel(q14, c, two([1, 1]), table);
  const kv = r.buffers.filter((b) => b.kind === "kv");
  // 40 layers × 4096 cells × 1024 × 2 (K+V) × 2 B; 21 blocks on CUDA0 (il/41 < 0.5), 19 on CUDA1
  assert.deepEqual(
    kv.map((b) => [b.name, b.bytes]),
    [
      ["CUDA0", 21 * 4096 * 1024 * 4],
      ["CUDA1", 19 * 4096 * 1024 * 4],
    ],
  );
  assert.equal(r.buffers.find((b) => b.kind === "output")!.name, "CUDA_Host");
  const nk = placeModel(q14, cfg({ n_ctx: 4096, no_kv_offload: true }), two(), table);
  assert.deepEqual(
    nk.buffers.filter((b) => b.kind === "kv").map((b) => b.name),
    ["CPU"],
  );
  const cpuOut = placeModel(q14, cfg({ n_ctx: 4096, n_gpu_layers: 0 }), two(), table);
  assert.equal(cpuOut.buffers.find((b) => b.kind === "output")!.name, "CPU");
  const rpc = P({ devices: [{ kind: "rpc", name: "r", endpoint: "127.0.0.1:1", memory_bytes: GiB }] });
  assert.equal(placeModel(q14, c, rpc, table).buffers.find((b) => b.kind === "output")!.name, "CPU");
});

test("tied embeddings: the output copy of token_embd is counted on the output layer's GPU", () => {
  const tied = table.filter((t) => t.name !== "output.weight");
  const p = P({ devices: [{ kind: "cuda", name: "a", memory_bytes: 80 * GiB }] });
  const layers = assignLayers(40, -1, [1]);
  const a = placeTensors(tied, orderDevices(p), layers, p).buffers.find((b) => b.dev === 0)!;
  const b = placeTensors(table, orderDevices(p), layers, p).buffers.find((x) => x.dev === 0)!;
  assert.equal(a.bytes, b.bytes); // output.weight and token_embd have the same shape and type here
});

test("-ot patterns with nested repetition are refused (hostile input), ordinary ones pass", () => {
  const devs = orderDevices(two());
  const layers = assignLayers(40, -1, [0.5, 1]);
  for (const pattern of ["(a+)+$", "(.*)*x", "(blk\\.[0-9]+)*{2}"])
    assert.throws(
      () => placeTensors(table, devs, layers, P({ ...two(), overrides: [{ pattern, buft: "CPU" }] })),
      /exponential/,
      pattern,
    );
  const ok = placeTensors(
    table,
    devs,
    layers,
    P({ ...two(), overrides: [{ pattern: String.raw`blk\.(1|2)\.ffn_(up|down)`, buft: "CPU" }] }),
  );
  assert.equal(ok.where.get("blk.1.ffn_up.weight"), "CPU_Mapped");
});
