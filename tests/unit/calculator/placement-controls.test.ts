/**
 * The PC builder's tensor overrides (-ot), --no-kv-offload and Vulkan/Metal devices: permalink round
 * trip, what the engine places with them, the commands, and hostile values refused.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildCommands } from "../../../src/lib/calculator/commands.ts";
import { encodeMachine, machinePlacement, parseMachine } from "../../../src/lib/calculator/placement-machine.ts";
import { placementConfig, placementView } from "../../../src/lib/calculator/placement-view.ts";
import { placedVerdict } from "../../../src/lib/calculator/placement-answer.ts";
import { DEFAULT_STATE, stateToQuery, type CalcState } from "../../../src/lib/calculator/state.ts";
import { parseState } from "../../../src/lib/calculator/state-schema.ts";
import { gpus, domain, model, spec, CUDA_F16 } from "./pc-fixtures.ts";

const pcState = (machine: string, patch: Partial<CalcState> = {}): CalcState => ({
  ...DEFAULT_STATE,
  model: "qwen3-14b",
  ...CUDA_F16,
  ctx: 8192,
  ftype: "Q4_K_M",
  machine,
  ...patch,
});
const OT = `ot:${encodeURIComponent(String.raw`blk\.(0|1)\.ffn_(up|down)=CPU`)},${encodeURIComponent("output=CUDA0")}`;

describe("PC builder: -ot, --no-kv-offload, Vulkan and Metal", () => {
  test("the permalink carries backends, overrides and --no-kv-offload unchanged", () => {
    const text = `g:vulkan:16384,nvidia-rtx-4090,metal:8192,vulkan:nvidia-rtx-4090;ram:65536;nkvo:1;${OT}`;
    const m = spec(text);
    assert.deepEqual(
      m.gpus.map((g) => g.kind),
      ["vulkan", "cuda", "metal", "vulkan"],
    );
    assert.deepEqual(m.overrides, [
      { pattern: String.raw`blk\.(0|1)\.ffn_(up|down)`, buft: "CPU" },
      { pattern: "output", buft: "CUDA0" },
    ]);
    assert.equal(m.noKvOffload, true);
    assert.equal(encodeMachine(m), text);
    const s = pcState(text);
    const r = parseState(stateToQuery(s), domain);
    assert.deepEqual(r.notices, []);
    assert.deepEqual(r.state, s);
    const p = machinePlacement(m);
    assert.deepEqual(p.overrides, m.overrides);
    assert.equal(placementConfig(model("qwen3-14b"), s, m).no_kv_offload, true);
  });

  test("the engine places by them: overridden tensors in host memory, KV in system RAM, devices named by backend", () => {
    const base = placementView(
      model("qwen3-14b"),
      pcState("g:vulkan:16384,metal:16384"),
      spec("g:vulkan:16384,metal:16384"),
    );
    assert.equal(base.error, null);
    assert.deepEqual(
      base.bars.map((b) => b.name),
      ["Vulkan0", "MTL0", "host"],
    );
    const text = `g:16384;nkvo:1;ot:${encodeURIComponent(String.raw`blk\.(0|1)\.ffn_(up|down)=CPU`)}`;
    const v = placementView(model("qwen3-14b"), pcState(text), spec(text));
    const plain = placementView(model("qwen3-14b"), pcState("g:16384"), spec("g:16384"));
    const dev = (x: typeof v, n: string) => x.bars.find((b) => b.name === n)!;
    assert.equal(dev(v, "CUDA0").parts.kv, 0);
    assert.equal(dev(v, "host").parts.kv, dev(plain, "CUDA0").parts.kv);
    assert.ok(dev(v, "host").parts.weights > dev(plain, "host").parts.weights);
    assert.ok(dev(v, "CUDA0").parts.weights < dev(plain, "CUDA0").parts.weights);
  });
});

describe("PC builder controls: commands and hostile values", () => {
  test("commands: -ot quoted in order before --n-cpu-moe, -nkvo; Ollama says it cannot", () => {
    const text = `g:vulkan:16384;nkvo:1;moe:2;${OT}`;
    const [llama, ollama] = buildCommands(pcState(text), {
      file: "m.gguf",
      ollamaTag: "qwen3:14b",
      hfRepo: null,
      hasSwa: false,
    });
    assert.ok(
      llama.text!.includes(String.raw`-ot 'blk\.(0|1)\.ffn_(up|down)=CPU' -ot 'output=CUDA0' --n-cpu-moe 2 -nkvo`),
      llama.text!,
    );
    assert.ok(llama.notes.some((n) => /vulkan backend/.test(n)));
    assert.ok(ollama.notes.some((n) => /cannot express tensor overrides/.test(n)));
    assert.ok(ollama.notes.some((n) => /cannot express --no-kv-offload/.test(n)));
  });

  test("hostile values are refused with the reason; the default machine is kept", () => {
    const bad: [string, RegExp][] = [
      ["g:opencl:1024", /not one of cuda, rocm, vulkan, metal/],
      ["g:rocm:nvidia-rtx-4090", /runs CUDA or Vulkan/],
      ["g:16384;nkvo:2", /nkvo must be 1 or 0/],
      ["g:16384;ot:abc", /expected pattern=BUFFER/],
      ["g:16384;ot:%E0%A4%A", /bad %-encoding/],
      ["g:16384;ot:" + encodeURIComponent("x=<script>"), /not a buffer type/],
      ["g:16384;ot:" + encodeURIComponent("([a-z=CPU"), /not a regular expression/],
      ["g:16384;ot:" + encodeURIComponent("a".repeat(300) + "=CPU"), /pattern ≤ 256/],
      ["g:16384;ot:" + Array(17).fill("a%3DCPU").join(","), /at most 16 tensor overrides/],
    ];
    for (const [text, why] of bad) {
      const r = parseMachine(text, gpus);
      assert.ok(!r.ok && why.test(r.error), `${text.slice(0, 40)} → ${r.ok ? "accepted" : r.error}`);
      const p = parseState(`pc=${encodeURIComponent(text)}`, domain);
      assert.equal(p.state.machine, "");
      assert.match(p.notices[0], /^Ignored pc=/);
    }
    // a pattern with exponential matching parses, and the engine refuses it before matching anything
    const evil = `g:16384;ot:${encodeURIComponent("(a+)+$=CPU")}`;
    const v = placementView(model("qwen3-14b"), pcState(evil), spec(evil));
    assert.match(v.error!, /exponential matching/);
    // an override naming a device the machine lacks: the engine's refusal is shown
    const ghost = `g:16384;ot:${encodeURIComponent("output=CUDA5")}`;
    assert.ok(placementView(model("qwen3-14b"), pcState(ghost), spec(ghost)).error);
  });
});

describe("uneven cards: the bars and the verdict bind the same device", () => {
  test("24 GiB + 12 GiB with layers split evenly: the smaller card, by its share free, in bars and verdict", () => {
    const text = "g:24576,12288;ts:1,1";
    const s = pcState(text, { model: "qwen3-14b", ctx: 16384 });
    const v = placementView(model("qwen3-14b"), s, spec(text));
    const share = (b: (typeof v.bars)[number]) => (b.budget! - b.total) / b.budget!;
    const gpus = v.bars.filter((b) => b.name !== "host");
    const least = gpus.reduce((a, b) => (share(b) < share(a) ? b : a));
    assert.deepEqual(
      v.bars.filter((b) => b.binding).map((b) => b.name),
      [least.name],
    );
    assert.match(placedVerdict(model("qwen3-14b"), s, spec(text)).text, new RegExp(`^\\w+: ${least.name} `));
  });
});
