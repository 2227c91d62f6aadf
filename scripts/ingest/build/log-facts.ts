/**
 * Run-level facts a llama.cpp log states: build, devices, backend, engine (llama.cpp or the
 * TurboQuant fork), model identity and, for plain full-attention models, the architecture itself.
 */
import { ArchitectureSchema, type Architecture } from "../../../src/schemas/architecture.ts";
import { FTYPE_BY_ID } from "../../../src/lib/engine/weights.ts";
import { modelOf, type LlamaCppFacts, type ModelLoadFact } from "../parsers/llama-cpp.ts";
import type { RunFacts } from "./run-facts.ts";

/** `Q4_K - Medium` (print_info) → `Q4_K_M`; other spellings pass through upper-cased. */
export function ftypeFromPrintInfo(s: string): string {
  const m = /^(\S+?)\s*-\s*(Medium|Small|Large|Extra small|XS|XXS)\b/i.exec(s.trim());
  if (m) {
    const suffix =
      { medium: "M", small: "S", large: "L", "extra small": "XS", xs: "XS", xxs: "XXS" }[m[2].toLowerCase()] ?? m[2];
    return `${m[1].toUpperCase()}_${suffix}`;
  }
  const n = /^(\S+)/.exec(s.trim());
  return (n ? n[1] : s).toUpperCase().replace(/^ALL_/, "");
}

/** The backend the log's buffers and devices name; undefined when they do not tell. */
function backendOf(f: LlamaCppFacts, gpu: LlamaCppFacts["devices"][number] | undefined): string | undefined {
  const bufDevices = [
    ...f.models.flatMap((m) => m.buffers.map((b) => b.device)),
    ...f.contexts.flatMap((c) => c.compute.map((b) => b.device)),
  ];
  return bufDevices.some((d) => /^CUDA\d/.test(d)) || gpu?.backend === "CUDA"
    ? "cuda"
    : bufDevices.some((d) => /^(MTL|Metal)/.test(d)) || gpu?.backend === "Metal" || f.metal
      ? "metal"
      : bufDevices.length && bufDevices.every((d) => /^CPU/.test(d))
        ? "cpu"
        : undefined;
}

/** Whether the log is the TurboQuant fork's: its own lines, or a turbo cache type. */
function isTurboQuant(f: LlamaCppFacts): boolean {
  return Boolean(
    f.turbo.autoAsymmetric ||
    f.turbo.flashAttnForced ||
    f.turbo.rotationInit > 0 ||
    f.turbo.zeroPadding.length > 0 ||
    f.contexts.some((c) =>
      c.caches.some((k) => /^turbo/.test(k.size?.k.type ?? "") || /^turbo/.test(k.size?.v?.type ?? "")),
    ),
  );
}

function modelFacts(rf: RunFacts, m: ModelLoadFact, file: string): void {
  const g = (k: string) => m.gguf[k]?.value;
  const arch = g("general.architecture") ?? m.info.arch?.value;
  rf.set("model.arch", arch, file);
  rf.set("model.name", g("general.name") ?? m.info["general.name"]?.value, file);
  const ft = g("general.file_type");
  const ftype =
    ft !== undefined && FTYPE_BY_ID[Number(ft)]
      ? FTYPE_BY_ID[Number(ft)]
      : m.info["file type"]
        ? ftypeFromPrintInfo(m.info["file type"].value)
        : undefined;
  rf.set("model.ftype", ftype, file);
  if (m.fileSize)
    rf.set(
      "model.log_file_size",
      `${m.fileSize.value} ${m.fileSize.unit}${m.fileSize.bpw ? ` (${m.fileSize.bpw} BPW)` : ""}`,
      file,
    );
  if (m.info["model params"]) rf.set("model.log_params", m.info["model params"].value, file);
  const a = architectureFromLog(m);
  if (a) rf.set("model.architecture", a, file);
}

export function runFactsFromLlama(rf: RunFacts, f: LlamaCppFacts, file: string): void {
  if (f.build) {
    rf.set("runtime.llama_cpp.commit", f.build.commit, file);
    if (f.build.number > 0) rf.set("runtime.llama_cpp.build_number", f.build.number, file);
  }
  const gpu = f.devices.find((d) => d.backend && d.backend !== "CPU");
  if (gpu) {
    rf.set("hardware.gpu.name", gpu.description, file);
    rf.set("gpu.usable_mib", gpu.totalMiB, file);
  }
  rf.set("runtime.backend", backendOf(f, gpu), file);
  if (f.metal?.recommendedMaxWorkingSetBytes)
    rf.set("hardware.gpu_working_set_bytes", f.metal.recommendedMaxWorkingSetBytes, file);
  if (f.metal?.unifiedMemory !== undefined) rf.set("hardware.unified_memory", f.metal.unifiedMemory, file);
  if (f.metal?.gpuName) rf.set("hardware.gpu.name", f.metal.gpuName, file);
  rf.set("engine", isTurboQuant(f) ? "turboquant" : "llama.cpp", file);
  const m = modelOf(f);
  if (m) modelFacts(rf, m, file);
}

/** GGUF keys whose presence means the scalar dump cannot describe the model's memory. */
const NOT_PLAIN =
  /sliding_window|kv_lora_rank|\.ssm\.|expert_count|nextn|recurrent|shared_kv|wkv|shortconv|full_attention_interval/;

/**
 * Architecture from a log's GGUF key dump, for plain full-attention models whose keys are all
 * scalars (anything with sliding windows, MLA, recurrent state or experts needs the GGUF header).
 */
export function architectureFromLog(m: ModelLoadFact): Architecture | undefined {
  const gguf = m.gguf;
  const arch = gguf["general.architecture"]?.value;
  if (!arch) return undefined;
  const num = (k: string) => {
    const v = gguf[`${arch}.${k}`];
    return v !== undefined && !v.type.startsWith("arr[") && /^\d+$/.test(v.value) ? Number(v.value) : undefined;
  };
  const blocks = num("block_count");
  const heads = num("attention.head_count");
  const kvHeads = num("attention.head_count_kv");
  const embd = num("embedding_length");
  if (!blocks || !heads || kvHeads === undefined || !embd) return undefined;
  if (Object.keys(gguf).some((k) => NOT_PLAIN.test(k))) return undefined;
  const tokens = /^arr\[\w+,(\d+)\]$/.exec(gguf["tokenizer.ggml.tokens"]?.type ?? "");
  const nVocab =
    num("vocab_size") ??
    (tokens ? Number(tokens[1]) : undefined) ??
    (m.info.n_vocab && /^\d+$/.test(m.info.n_vocab.value) ? Number(m.info.n_vocab.value) : undefined);
  const doc = {
    arch,
    name: gguf["general.name"]?.value ?? null,
    block_count: blocks,
    context_length: num("context_length") ?? null,
    n_embd: embd,
    n_head: heads,
    n_head_kv: kvHeads,
    key_length: num("attention.key_length") ?? Math.floor(embd / heads),
    value_length: num("attention.value_length") ?? Math.floor(embd / heads),
    feed_forward_length: num("feed_forward_length") ?? null,
    vocab_size: nVocab ?? null,
  };
  const r = ArchitectureSchema.safeParse(doc);
  return r.success ? r.data : undefined;
}
