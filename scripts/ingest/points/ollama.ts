/** Ollama's own memory lines → a point (when the runner forwarded no llama.cpp lines). */
import type { KvType } from "../../../src/schemas/kv-type.ts";
import type { OllamaFacts, OllamaLoad } from "../parsers/ollama.ts";
import { faOf, intOf, isHostBuffer, isKvType, mv, setConfig, src, type PointDraft } from "./draft.ts";

/** Ollama's own memory lines (when the runner forwarded no llama.cpp lines). */
export function applyOllamaLoad(d: PointDraft, o: OllamaFacts, l: OllamaLoad, file: string): void {
  d.raw_files.add(file);
  const a = l.runnerArgs;
  setConfig(d, "n_ctx", intOf(a["ctx-size"]), "log");
  setConfig(d, "n_batch", intOf(a["batch-size"]), "log");
  setConfig(d, "n_seq", intOf(a.parallel), "log");
  const ngl = intOf(a["n-gpu-layers"]);
  setConfig(d, "n_gpu_layers", ngl, "log");
  if (a["flash-attn"] !== undefined)
    setConfig(d, "flash_attn", a["flash-attn"] === "true" ? "on" : faOf(a["flash-attn"]), "log");
  const kvType = a["kv-cache-type"] ?? a["cache-type-k"];
  if (isKvType(kvType)) {
    setConfig(d, "type_k", kvType, "log");
    setConfig(d, "type_v", (isKvType(a["cache-type-v"]) ? a["cache-type-v"] : kvType) as KvType, "log");
  }
  const HB2 = 0.05 * 1024; // HumanBytes2 prints one decimal of the unit
  const res = (printed: string) => {
    const u = /([KMGT])iB/.exec(printed)?.[1];
    return Math.round(
      HB2 * (u === "K" ? 1 : u === "M" ? 1024 : u === "G" ? 1024 ** 2 : u === "T" ? 1024 ** 3 : 1 / 1024),
    );
  };
  if (l.kv.length) {
    const bytes = l.kv.reduce((x, k) => x + k.size.bytes, 0);
    d.measured.kv_bytes = mv(
      bytes,
      src("ollama", file, l.kv[0].size.line, `msg="kv cache" (${l.kv.map((k) => k.device).join(", ")})`),
      l.kv.reduce((x, k) => x + res(k.size.printed), 0),
    );
  }
  if (l.compute.length) {
    const bytes = l.compute.reduce((x, k) => x + k.size.bytes, 0);
    d.measured.compute_bytes = mv(
      bytes,
      src("ollama", file, l.compute[0].size.line, `msg="compute graph" (${l.compute.map((k) => k.device).join(", ")})`),
      l.compute.reduce((x, k) => x + res(k.size.printed), 0),
    );
  }
  if (l.weights.length) {
    const bytes = l.weights.reduce((x, k) => x + k.size.bytes, 0);
    d.measured.model_bytes = mv(
      bytes,
      src("ollama", file, l.weights[0].size.line, `msg="model weights"`),
      l.weights.reduce((x, k) => x + res(k.size.printed), 0),
    );
  }
  for (const [component, list] of [
    ["kv", l.kv],
    ["compute", l.compute],
    ["model", l.weights],
  ] as const)
    for (const x of list)
      d.buffers.push({
        component,
        device: x.device,
        host: isHostBuffer(x.device),
        bytes: x.size.bytes,
        source: src("ollama", file, x.size.line),
        resolution_bytes: res(x.size.printed),
      });
  if (l.offload) {
    const e = l.offload;
    d.notes.push(
      `Ollama's own ESTIMATE (msg=offload, line ${e.line}, not a measurement): required full ${e.requiredFull?.printed ?? "?"}, kv ${e.requiredKv?.printed ?? "?"}, graph full ${e.graphFull?.printed ?? "?"}, weights ${e.weightsTotal?.printed ?? "?"}, layers offloaded ${e.layersOffload ?? "?"}/${e.layersModel ?? "?"}`,
    );
  }
  if (l.total) d.notes.push(`Ollama total memory: ${l.total.printed} (line ${l.total.line})`);
  void o;
}
