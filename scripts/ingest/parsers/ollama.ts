/**
 * Ollama server logs (tests/fixtures/ingest/log-formats/ollama/): logfmt lines (`key=value`, values optionally
 * double-quoted, sizes in `HumanBytes2` = 1024-based with one decimal) — the old estimator's
 * `msg=offload` line and the newer per-device `msg="kv cache"` / `"compute graph"` /
 * `"model weights"` / `"total memory"` lines — plus the llama.cpp lines the runner forwards,
 * which go to an embedded llama.cpp parser. One "load" starts at `starting llama server` or at
 * an `offload` line; memory lines belong to the current load.
 */
import { parseBytes } from "../../../src/lib/units.ts";
import { WarningSink, normaliseLine, runOnText, type LineParser, type ParseWarning } from "./common.ts";
import { createLlamaCppParser, type LlamaCppFacts } from "./llama-cpp.ts";

export interface OllamaSize {
  bytes: number;
  printed: string;
  line: number;
}

export interface OllamaLoad {
  line: number;
  /** Flags of the runner command line (`--ctx-size 8192` → `ctx-size: "8192"`). */
  runnerArgs: Record<string, string>;
  offload?: {
    library?: string;
    layersRequested?: number;
    layersModel?: number;
    layersOffload?: number;
    available: OllamaSize[];
    requiredFull?: OllamaSize;
    requiredPartial?: OllamaSize;
    requiredKv?: OllamaSize;
    weightsTotal?: OllamaSize;
    graphFull?: OllamaSize;
    graphPartial?: OllamaSize;
    projectorWeights?: OllamaSize;
    projectorGraph?: OllamaSize;
    line: number;
  };
  kv: { device: string; size: OllamaSize }[];
  compute: { device: string; size: OllamaSize }[];
  weights: { device: string; size: OllamaSize }[];
  total?: OllamaSize;
}

export interface OllamaFacts {
  tool: "ollama";
  version?: string;
  env: Record<string, string>;
  devices: { id?: string; library?: string; name?: string; description?: string; total?: OllamaSize; line: number }[];
  systemMemory?: { total?: OllamaSize; free?: OllamaSize; line: number };
  loads: OllamaLoad[];
  /** What the runner's forwarded llama.cpp lines say. */
  llama: LlamaCppFacts;
  recognisedLines: number;
  warnings: ParseWarning[];
}

/** Split a logfmt line into key → value (quotes removed, `\"` unescaped). */
export function logfmt(line: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  const re = /([\w.-]+)=("((?:[^"\\]|\\.)*)"|\S*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out[m[1]] = m[3] !== undefined ? m[3].replace(/\\(.)/g, "$1") : m[2];
  return out;
}

/** The parser's state: the facts so far and the load the memory lines belong to. */
interface OllamaState {
  w: WarningSink;
  f: Omit<OllamaFacts, "llama">;
  load?: OllamaLoad;
}

function newLoad(st: OllamaState, n: number): OllamaLoad {
  st.load = { line: n, runnerArgs: {}, kv: [], compute: [], weights: [] };
  st.f.loads.push(st.load);
  return st.load;
}

function size(st: OllamaState, v: string | undefined, n: number, text: string, what: string): OllamaSize | undefined {
  if (v === undefined) return undefined;
  try {
    return { bytes: parseBytes(v.trim()), printed: v, line: n };
  } catch {
    st.w.add(n, text, `${what} "${v}" is not a size`);
    return undefined;
  }
}

const num = (v: string | undefined) => (v === undefined || v === "" ? undefined : Number(v));

/** `msg=offload` (or `offload to <library>`): Ollama's own estimate for the load. */
function offloadLine(st: OllamaState, kv: Record<string, string>, msg: string, n: number, text: string): void {
  const l = st.load && !st.load.offload ? st.load : newLoad(st, n);
  const sz = (key: string) => size(st, kv[key], n, text, key);
  const avail = (kv["memory.available"] ?? "").replace(/^\[|\]$/g, "");
  l.offload = {
    library: kv.library ?? (msg.startsWith("offload to") ? msg.slice("offload to ".length) : undefined),
    layersRequested: num(kv["layers.requested"]),
    layersModel: num(kv["layers.model"]),
    layersOffload: num(kv["layers.offload"]),
    available: [...avail.matchAll(/[\d.]+\s*[KMGT]?i?B/g)]
      .map((m) => size(st, m[0], n, text, "memory.available"))
      .filter((x): x is OllamaSize => x !== undefined),
    requiredFull: sz("memory.required.full"),
    requiredPartial: sz("memory.required.partial"),
    requiredKv: sz("memory.required.kv"),
    weightsTotal: sz("memory.weights.total"),
    graphFull: sz("memory.graph.full"),
    graphPartial: sz("memory.graph.partial"),
    projectorWeights: sz("projector.weights"),
    projectorGraph: sz("projector.graph"),
    line: n,
  };
}

/** `kv cache`, `compute graph`, `model weights`: one size per device (a repeated device replaces). */
function bufferLine(st: OllamaState, kv: Record<string, string>, msg: string, n: number, text: string): void {
  const s = size(st, kv.size, n, text, "size");
  const device = kv.device ?? kv.buffer ?? kv.backend ?? kv.buffer_type ?? "?";
  if (!s) return;
  const l = st.load ?? newLoad(st, n);
  const list = msg === "kv cache" ? l.kv : msg === "compute graph" ? l.compute : l.weights;
  const i = list.findIndex((x) => x.device === device);
  if (i >= 0) list[i] = { device, size: s };
  else list.push({ device, size: s });
}

/** Server and device lines: version, environment, GPUs, system memory, the runner's command line. */
function serverLine(st: OllamaState, kv: Record<string, string>, msg: string, n: number, text: string): boolean {
  const f = st.f;
  if (msg.startsWith("Listening on")) {
    const v = /\(version ([^)]+)\)/.exec(msg);
    if (v) f.version = v[1];
  } else if (msg === "server config" && kv.env) {
    for (const m of kv.env.matchAll(/(OLLAMA_\w+):(\S*)/g)) f.env[m[1]] = m[2].replace(/\]$/, "");
  } else if (msg === "inference compute") {
    f.devices.push({
      id: kv.id,
      library: kv.library,
      name: kv.name,
      description: kv.description,
      total: size(st, kv.total, n, text, "total"),
      line: n,
    });
  } else if (msg === "system memory") {
    f.systemMemory = {
      total: size(st, kv.total, n, text, "total"),
      free: size(st, kv.free, n, text, "free"),
      line: n,
    };
  } else if (msg === "starting llama server" || msg === "starting runner") {
    const l = newLoad(st, n);
    const cmd = kv.cmd ?? "";
    for (const m of cmd.matchAll(/--([\w-]+)(?:\s+(?!--)(\S+))?/g)) l.runnerArgs[m[1]] = m[2] ?? "true";
  } else return false;
  return true;
}

/** One logfmt line of the Ollama server; false when its msg is not one we read. */
function ollamaLine(st: OllamaState, text: string, n: number): boolean {
  const kv = logfmt(text);
  const msg = kv.msg ?? "";
  if (serverLine(st, kv, msg, n, text)) return true;
  if (msg === "offload" || msg.startsWith("offload to")) offloadLine(st, kv, msg, n, text);
  else if (msg === "kv cache" || msg === "compute graph" || msg === "model weights") bufferLine(st, kv, msg, n, text);
  else if (msg === "total memory") (st.load ?? newLoad(st, n)).total = size(st, kv.size, n, text, "size");
  else return false;
  return true;
}

export function createOllamaParser(): LineParser<OllamaFacts> {
  const llama = createLlamaCppParser();
  const st: OllamaState = {
    w: new WarningSink(),
    f: { tool: "ollama", env: {}, devices: [], loads: [], recognisedLines: 0, warnings: [] },
  };
  return {
    push(raw: string, n: number): void {
      const { text } = normaliseLine(raw);
      if (!text.includes("level=") || !text.includes("msg=")) {
        llama.push(raw, n);
        return;
      }
      if (ollamaLine(st, text, n)) st.f.recognisedLines++;
      else if (/size=|memory\./.test(text)) st.w.add(n, text, "Ollama memory line with an unknown msg");
    },
    finish(): OllamaFacts {
      const lf = llama.finish();
      return { ...st.f, llama: lf, warnings: [...st.w.list(), ...lf.warnings] };
    },
  };
}

export function parseOllamaLog(text: string): OllamaFacts {
  return runOnText(createOllamaParser(), text);
}
