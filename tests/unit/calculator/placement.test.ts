import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildTensorTable, normaliseFtype } from "../../../src/lib/engine/index.ts";
import { fitMachine, placeModel } from "../../../src/lib/engine/placement/index.ts";
import { buildCommands } from "../../../src/lib/calculator/commands.ts";
import { encodeMachine, machinePlacement, parseMachine } from "../../../src/lib/calculator/placement-machine.ts";
import { barsOf, fitPatch, placementConfig, placementView } from "../../../src/lib/calculator/placement-view.ts";
import { DEFAULT_STATE, stateToQuery, type CalcState } from "../../../src/lib/calculator/state.ts";
import { parseState } from "../../../src/lib/calculator/state-schema.ts";
import { catalog, gpus, domain, spec, archOf, CUDA_F16 } from "./pc-fixtures.ts";

const pcState = (machine: string, patch: Partial<CalcState> = {}): CalcState => ({
  ...DEFAULT_STATE,
  model: "llama-3.1-70b",
  ...CUDA_F16,
  ctx: 8192,
  machine,
  ...patch,
});

describe("calculator placement: machine text", () => {
  test("a machine survives the permalink, with catalog GPUs, sizes, RAM, RPC and every control", () => {
    const text = "g:nvidia-rtx-4090,24576;ram:65536;rpc:10.0.0.2:50052@16384;ts:1,1,2;mg:1;moe:3;mmap:0";
    const s = pcState(text);
    const r = parseState(stateToQuery(s), domain);
    assert.deepEqual(r.notices, []);
    assert.deepEqual(r.state, s);
    const m = spec(text);
    assert.equal(encodeMachine(m), text);
    assert.equal(m.gpus[0].name, catalog.hardware.find((h) => h.id === "nvidia-rtx-4090")!.name);
    assert.equal(m.gpus[0].mib * 2 ** 20, catalog.hardware.find((h) => h.id === "nvidia-rtx-4090")!.memoryBytes);
    const p = machinePlacement(m);
    assert.deepEqual(
      p.devices.map((d) => [d.kind, d.memory_bytes, d.endpoint ?? null]),
      [
        ["cuda", 24 * 2 ** 30, null],
        ["cuda", 24 * 2 ** 30, null],
        ["rpc", 16 * 2 ** 30, "10.0.0.2:50052"],
      ],
    );
    assert.equal(p.host_bytes, 64 * 2 ** 30);
    assert.equal(p.n_cpu_moe, 3);
    assert.equal(p.load_mode, "none");
  });

  test("hostile or impossible machines are refused with the reason, and the default machine is kept", () => {
    const bad: [string, RegExp][] = [
      ["g:" + Array(9).fill("24576").join(","), /1 … 8 GPUs/],
      ["g:", /1 … 8 GPUs/],
      ["g:99999999999", /out of range|not in the hardware catalog/],
      ["g:not-a-gpu", /not in the hardware catalog/],
      ["g:apple-m4-max-36gb", /not in the hardware catalog/],
      ["g:24576;rpc:evil host:1@1", /host:port@MiB/],
      ["g:24576;rpc:h:99999@1", /host:port@MiB/],
      ["g:24576;ts:1,1", /2 values for 1 devices/],
      ["g:24576;ts:1e9", /tensor split/],
      ["g:24576;mg:3", /out of range/],
      ["g:24576;moe:5000", /experts on the CPU/],
      ["g:24576;sm:row", /layer or none/],
      ["g:24576;g:24576", /given twice/],
      ["ram:1024", /at least one GPU/],
      ["g:24576;x:1", /unknown field/],
      ["g:" + "1,".repeat(1200), /longer than/],
    ];
    for (const [text, why] of bad) {
      const r = parseMachine(text, gpus);
      assert.ok(!r.ok && why.test(r.error), `${text.slice(0, 30)} → ${r.ok ? "accepted" : r.error}`);
      const p = parseState(`pc=${encodeURIComponent(text)}`, domain);
      assert.equal(p.state.machine, "", text.slice(0, 30));
      assert.equal(p.notices.length, 1);
      assert.match(p.notices[0], /^Ignored pc=.*Using the default/);
    }
  });
});

describe("calculator placement: bars", () => {
  const arch = archOf("llama-3.1-70b");
  const m = { arch, tensors: null };
  const machine = "g:24576,24576;ram:131072";

  test("bars are the engine's placement summed per device and kind, the binding device marked", () => {
    const s = pcState(machine);
    const v = placementView(m, s, spec(machine));
    assert.equal(v.error, null);
    const r = placeModel(
      arch,
      placementConfig(m, s),
      machinePlacement(spec(machine)),
      buildTensorTable(arch, normaliseFtype("Q4_K_M")),
    );
    assert.deepEqual(
      v.bars.map((b) => [b.name, b.total, b.layers]),
      r.devices.map((d) => [d.name, d.bytes, d.layers]),
    );
    for (const b of v.bars) {
      const sum = Object.values(b.parts).reduce((a, x) => a + x, 0);
      assert.equal(sum, b.total, b.name);
      const kv = r.buffers.filter((x) => x.device === b.name && (x.kind === "kv" || x.kind === "recurrent"));
      assert.equal(
        b.parts.kv,
        kv.reduce((a, x) => a + x.bytes, 0),
      );
    }
    // A 70B at Q4_K_M (~40 GiB) needs both cards; each holds layers and weights.
    assert.ok(v.bars[0].parts.weights > 10 * 2 ** 30 && v.bars[1].parts.weights > 10 * 2 ** 30);
    const marked = v.bars.filter((b) => b.binding);
    assert.equal(marked.length, 1);
    const room = (b: (typeof v.bars)[number]) => b.budget! - b.total;
    const least = Math.min(...v.bars.filter((b) => b.budget !== null).map(room));
    assert.equal(room(marked[0]), least);
    assert.match(v.bindingNote!, new RegExp(marked[0].name));
    // Same configuration → the cached result (same object).
    assert.equal(barsOf(r).bars.length, v.bars.length);
  });

  test("a machine that is too small marks the device over budget", () => {
    const small = "g:8192,8192";
    const v = placementView(m, pcState(small), spec(small));
    const bind = v.bars.find((b) => b.binding)!;
    assert.ok(bind.total > bind.budget!);
    assert.match(v.bindingNote!, /does not fit/);
  });

  test("engine refusals show as an error, not a crash", () => {
    const v = placementView(m, pcState("g:24576;sm:none;mg:0"), { ...spec("g:24576"), mainGpu: 5, splitMode: "none" });
    assert.match(v.error!, /-mg 5 is out of range/);
  });
});

describe("calculator placement: fit it for me", () => {
  const arch = archOf("llama-3.1-70b");
  const m = { arch, tensors: null };
  const machine = "g:24576,24576;ram:131072";

  test("fit it for me = the solver's flags, applied to the state", () => {
    const s = pcState(machine);
    const f = fitPatch(m, s, spec(machine));
    assert.ok(f.ok);
    const want = fitMachine(
      arch,
      placementConfig(m, s),
      machinePlacement(spec(machine)),
      buildTensorTable(arch, normaliseFtype("Q4_K_M")),
      {
        max_ctx: arch.context_length!,
      },
    )!;
    assert.deepEqual(f.flags, want.flags);
    assert.equal(f.patch.nGpuLayers, want.n_gpu_layers);
    assert.equal(f.patch.ctx, want.n_ctx);
    assert.equal(spec(f.patch.machine!).tensorSplit.join(","), want.tensor_split.join(","));
    // The fitted state's command carries the solver's -ngl and -ts.
    const cmd = buildCommands(
      { ...s, ...f.patch },
      { file: "m.gguf", ollamaTag: null, hfRepo: null, hasSwa: false },
    )[0];
    assert.ok(cmd.text!.includes(`-ngl ${want.n_gpu_layers} -ts ${want.tensor_split.join(",")}`), cmd.text!);
  });

  test("a MoE too big for the GPU: the solver moves experts first", () => {
    const moe = archOf("qwen3-30b-a3b");
    const mm = { arch: moe, tensors: null };
    const s = pcState("g:16384;ram:65536", { model: "qwen3-30b-a3b" });
    const f = fitPatch(mm, s, spec("g:16384;ram:65536"));
    assert.ok(f.ok);
    const m2 = spec(f.patch.machine!);
    assert.equal(typeof m2.moe, "number");
    assert.ok(f.flags.includes("--n-cpu-moe") && f.flags.includes(String(m2.moe)));
  });
});

describe("calculator placement: commands", () => {
  const model = { file: "m.gguf", ollamaTag: "llama3.1:70b", hfRepo: null, hasSwa: false };
  test("llama-server gains --rpc, -sm, -mg, -ts, --n-cpu-moe and the load mode", () => {
    const s = pcState("g:24576,24576;rpc:10.0.0.2:50052@16384;ts:1,2,2;mg:1;moe:4;mmap:0", { nGpuLayers: 60 });
    const [llama, ollama] = buildCommands(s, model);
    assert.ok(
      llama.text!.includes("-ngl 60 --rpc 10.0.0.2:50052 -mg 1 -ts 1,2,2 --n-cpu-moe 4 --load-mode none -fit off"),
      llama.text!,
    );
    assert.ok(ollama.text!.includes('"num_gpu":60'));
    assert.equal(ollama.exact, false);
    for (const w of ["--rpc", "-ts 1,2,2", "-sm / -mg", "--cpu-moe / --n-cpu-moe", "load mode"])
      assert.ok(
        ollama.notes.some((n) => n.includes(w)),
        w,
      );
    const none = buildCommands(pcState("g:24576,24576;sm:none;moe:all", { revision: "2025-07-16" }), model)[0];
    assert.ok(none.text!.includes("-ngl 999 -sm none --cpu-moe"), none.text!);
  });
  test("a PC with only -ngl is what Ollama's num_gpu expresses", () => {
    const [, ollama] = buildCommands(pcState("g:24576;ram:65536", { nGpuLayers: 40 }), model);
    assert.ok(ollama.text!.includes('"num_gpu":40'));
    assert.ok(!ollama.notes.some((n) => n.includes("cannot express")));
    assert.equal(ollama.exact, true);
  });
  test("without a PC the commands are unchanged", () => {
    const [llama] = buildCommands(DEFAULT_STATE, model);
    assert.ok(!/--rpc|-ts |-sm |--n-cpu-moe/.test(llama.text!));
  });
});
