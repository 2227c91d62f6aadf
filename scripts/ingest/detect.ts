/**
 * Which tool wrote a raw output? Decided from the content (first 64 KiB), with the file name
 * only as a tie-breaker. Unknown content is an error, never a guess.
 */
import { parseFootprintJson, parseFootprintText, type FootprintFacts } from "./parsers/footprint.ts";
import { parseLlamaBench, type LlamaBenchFacts } from "./parsers/llama-bench.ts";
import { parseLlamaCppLog, type LlamaCppFacts } from "./parsers/llama-cpp.ts";
import { parseMemprobe, type MemprobeFacts } from "./parsers/memprobe.ts";
import { parseNvidiaSmiCsv, type NvidiaSmiFacts } from "./parsers/nvidia-smi.ts";
import { parseOllamaPs, type OllamaPsFacts } from "./parsers/ollama-ps.ts";
import { parseOllamaLog, type OllamaFacts } from "./parsers/ollama.ts";
import { parseTimeL, type TimeLFacts } from "./parsers/time-l.ts";
import { parseTimeV, type TimeVFacts } from "./parsers/time-v.ts";
import { parseVmmap, type VmmapFacts } from "./parsers/vmmap.ts";

export type Tool =
  | "run-json"
  | "case-json"
  | "llama.cpp"
  | "ollama"
  | "ollama-ps"
  | "llama-bench"
  | "footprint"
  | "footprint-json"
  | "vmmap"
  | "time-l"
  | "time-v"
  | "nvidia-smi"
  | "memprobe";

export type RawFacts =
  | LlamaCppFacts
  | OllamaFacts
  | OllamaPsFacts
  | LlamaBenchFacts
  | FootprintFacts
  | VmmapFacts
  | TimeLFacts
  | TimeVFacts
  | NvidiaSmiFacts
  | MemprobeFacts;

export const SNIFF_BYTES = 64 * 1024;

const LLAMA_MARKERS =
  /llama_model_loader:|llama_context:|llama_kv_cache|load_tensors:|llm_load_|print_info:|sched_reserve:|ggml_cuda_init:|llama_new_context_with_model:|llama_init_from_model:|ggml_metal_|llama_memory_|memory_breakdown_print|llama_params_fit/;

/** True when the bytes look like binary data rather than text. */
export function looksBinary(head: Uint8Array): boolean {
  let bad = 0;
  const n = Math.min(head.length, 8192);
  for (let i = 0; i < n; i++) {
    const c = head[i];
    if (c === 0) return true;
    if (c < 9 || (c > 13 && c < 32)) bad++;
  }
  return n > 0 && bad / n > 0.05;
}

/** Identify the tool from the start of a text and its file name. */
export function detectTool(head: string, fileName = ""): Tool | undefined {
  const t = head.replace(/^\uFEFF/, "");
  const s = t.trimStart();
  const base = fileName.split(/[\\/]/).pop() ?? "";
  if (s.startsWith("{") || s.startsWith("[")) {
    if (/"build_commit"\s*:/.test(s) && /"model_size"|"n_prompt"|"avg_ts"/.test(s)) return "llama-bench";
    if (/"bytes per unit"|"phys_footprint"/.test(s) && /"processes"|"samples"/.test(s)) return "footprint-json";
    if (base === "case.json") return "case-json";
    if (s.startsWith("{")) return "run-json";
    return undefined;
  }
  if (/^\s*(MEM|MB|RESULT|PROC) \w+=/m.test(t)) return "memprobe";
  if (/Command being timed:|Maximum resident set size \(kbytes\)/.test(t)) return "time-v";
  if (/^\s*[\d.]+ real\s+[\d.]+ user\s+[\d.]+ sys\s*$/m.test(t) || /^\s*\d+\s+maximum resident set size/m.test(t))
    return "time-l";
  if (/Footprint:\s*[\d.]+\s*(B|KB|MB|GB)/.test(t) || /^footprint: /m.test(t)) return "footprint";
  if (/^Physical footprint( \(peak\))?:/m.test(t)) return "vmmap";
  if (
    /^(\$ nvidia-smi.*\n)?\s*(timestamp|index|pid|memory\.used|name)\b[^\n]*,|^\s*memory\.used \[MiB\]\s*$/m.test(t) &&
    /\[MiB\]|used_gpu_memory|memory\./.test(t)
  )
    return "nvidia-smi";
  if (/^NAME\s{2,}ID\s{2,}SIZE\s{2,}PROCESSOR/m.test(t)) return "ollama-ps";
  if (/\blevel=\w+\b.*\bmsg=/.test(t) && /\bsource=\S+\.go:\d+/.test(t)) return "ollama";
  if (LLAMA_MARKERS.test(t)) return "llama.cpp";
  if (/nvidia-smi/i.test(base) && /\[MiB\]/.test(t)) return "nvidia-smi";
  return undefined;
}

/** Parse a whole raw text with the parser of its tool. */
export function parseRaw(tool: Tool, text: string): RawFacts | undefined {
  switch (tool) {
    case "llama.cpp":
      return parseLlamaCppLog(text);
    case "ollama":
      return parseOllamaLog(text);
    case "ollama-ps":
      return parseOllamaPs(text);
    case "llama-bench":
      return parseLlamaBench(text);
    case "footprint":
      return parseFootprintText(text);
    case "footprint-json":
      return parseFootprintJson(text);
    case "vmmap":
      return parseVmmap(text);
    case "time-l":
      return parseTimeL(text);
    case "time-v":
      return parseTimeV(text);
    case "nvidia-smi":
      return parseNvidiaSmiCsv(text);
    case "memprobe":
      return parseMemprobe(text);
    default:
      return undefined;
  }
}
