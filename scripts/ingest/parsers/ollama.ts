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

export function createOllamaParser(): LineParser<OllamaFacts> {
  const w = new WarningSink();
  const llama = createLlamaCppParser();
  const f: Omit<OllamaFacts, "llama"> = {
    tool: "ollama",
    env: {},
    devices: [],
    loads: [],
    recognisedLines: 0,
    warnings: [],
  };
  let load: OllamaLoad | undefined;
  const newLoad = (n: number): OllamaLoad => {
    load = { line: n, runnerArgs: {}, kv: [], compute: [], weights: [] };
    f.loads.push(load);
    return load;
  };
  const size = (v: string | undefined, n: number, text: string, what: string): OllamaSize | undefined => {
    if (v === undefined) return undefined;
    try {
      return { bytes: parseBytes(v.trim()), printed: v, line: n };
    } catch {
      w.add(n, text, `${what} "${v}" is not a size`);
      return undefined;
    }
  };
  const num = (v: string | undefined) => (v === undefined || v === "" ? undefined : Number(v));
  return {
    push(raw: string, n: number): void {
      const { text } = normaliseLine(raw);
      if (!text.includes("level=") || !text.includes("msg=")) {
        llama.push(raw, n);
        return;
      }
      const kv = logfmt(text);
      const msg = kv.msg ?? "";
      f.recognisedLines++;
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
          total: size(kv.total, n, text, "total"),
          line: n,
        });
      } else if (msg === "system memory") {
        f.systemMemory = { total: size(kv.total, n, text, "total"), free: size(kv.free, n, text, "free"), line: n };
      } else if (msg === "starting llama server" || msg === "starting runner") {
        const l = newLoad(n);
        const cmd = kv.cmd ?? "";
        for (const m of cmd.matchAll(/--([\w-]+)(?:\s+(?!--)(\S+))?/g)) l.runnerArgs[m[1]] = m[2] ?? "true";
      } else if (msg === "offload" || msg.startsWith("offload to")) {
        const l = load && !load.offload ? load : newLoad(n);
        const avail = (kv["memory.available"] ?? "").replace(/^\[|\]$/g, "");
        l.offload = {
          library: kv.library ?? (msg.startsWith("offload to") ? msg.slice("offload to ".length) : undefined),
          layersRequested: num(kv["layers.requested"]),
          layersModel: num(kv["layers.model"]),
          layersOffload: num(kv["layers.offload"]),
          available: [...avail.matchAll(/[\d.]+\s*[KMGT]?i?B/g)]
            .map((m) => size(m[0], n, text, "memory.available"))
            .filter((x): x is OllamaSize => x !== undefined),
          requiredFull: size(kv["memory.required.full"], n, text, "memory.required.full"),
          requiredPartial: size(kv["memory.required.partial"], n, text, "memory.required.partial"),
          requiredKv: size(kv["memory.required.kv"], n, text, "memory.required.kv"),
          weightsTotal: size(kv["memory.weights.total"], n, text, "memory.weights.total"),
          graphFull: size(kv["memory.graph.full"], n, text, "memory.graph.full"),
          graphPartial: size(kv["memory.graph.partial"], n, text, "memory.graph.partial"),
          projectorWeights: size(kv["projector.weights"], n, text, "projector.weights"),
          projectorGraph: size(kv["projector.graph"], n, text, "projector.graph"),
          line: n,
        };
      } else if (msg === "kv cache" || msg === "compute graph" || msg === "model weights") {
        const s = size(kv.size, n, text, "size");
        const device = kv.device ?? kv.buffer ?? kv.backend ?? kv.buffer_type ?? "?";
        if (!s) return;
        const l = load ?? newLoad(n);
        const list = msg === "kv cache" ? l.kv : msg === "compute graph" ? l.compute : l.weights;
        const i = list.findIndex((x) => x.device === device);
        if (i >= 0) list[i] = { device, size: s };
        else list.push({ device, size: s });
      } else if (msg === "total memory") {
        (load ?? newLoad(n)).total = size(kv.size, n, text, "size");
      } else {
        f.recognisedLines--;
        if (/size=|memory\./.test(text)) w.add(n, text, "Ollama memory line with an unknown msg");
      }
    },
    finish(): OllamaFacts {
      const lf = llama.finish();
      return { ...f, llama: lf, warnings: [...w.list(), ...lf.warnings] };
    },
  };
}

export function parseOllamaLog(text: string): OllamaFacts {
  return runOnText(createOllamaParser(), text);
}
