/**
 * The parser's state (one per log) and the session bookkeeping every family shares: which model load
 * and context a line belongs to, repeated sessions folded, compute blocks closed.
 */
import type { BufferLine, KvCacheFact, BreakdownTable, ContextFact, ModelLoadFact, LlamaCppFacts } from "./types.ts";
import { WarningSink } from "../common.ts";

/** One log's parse: the facts so far and where the current line belongs. */
export interface ParserState {
  warnings: WarningSink;
  facts: LlamaCppFacts;
  model: ModelLoadFact | undefined;
  ctx: ContextFact | undefined;
  computeBlock: BufferLine[] | undefined;
  /** A line mentioning a draft model appeared since the last context. */
  draftHint: boolean;
  breakdownOpen: BreakdownTable | undefined;
  // A long log can repeat the same session many times (server restarts, reloads): identical
  // contexts and model loads are folded, so memory grows with distinct facts only. "Identical" =
  // the same recognised lines (timestamps stripped) — cheap to compare, no object serialisation.
  // keyed by the model's signature (one cached string per model load, so its hash is computed
  // once), then by the context's own lines: no concatenated key to flatten and hash per context
  ctxSigs: Map<string, Map<string, ContextFact>>;
  modelSigs: Map<string, number>;
  modelText: WeakMap<ModelLoadFact, string[]>;
  sigCache: WeakMap<ModelLoadFact, string>;
  ctxText: string[];
  lastCtx: { mSig: string; sig: string; fact: ContextFact } | undefined;
  lastModel: { sig: string; index: number } | undefined;
  /**
   * Set by handlers of process-level lines (build, devices, system info): not part of a session's
   * signature.
   */
  runLevelLine: boolean;
  modelZeroLines: number;
}

export function newParserState(): ParserState {
  return {
    warnings: new WarningSink(),
    facts: {
      tool: "llama.cpp",
      devices: [],
      models: [],
      contexts: [],
      turbo: { zeroPadding: [], rotationInit: 0, temporalDecayLines: 0 },
      attnRot: {},
      kvNotes: [],
      logWarnings: [],
      recognisedLines: 0,
      lines: 0,
      warnings: [],
    },
    model: undefined,
    ctx: undefined,
    computeBlock: undefined,
    draftHint: false,
    breakdownOpen: undefined,
    ctxSigs: new Map(),
    modelSigs: new Map(),
    modelText: new WeakMap(),
    sigCache: new WeakMap(),
    ctxText: [],
    lastCtx: undefined,
    lastModel: undefined,
    runLevelLine: false,
    modelZeroLines: 0,
  };
}

export function modelSig(s: ParserState, m: ModelLoadFact | undefined): string {
  if (!m) return "";
  let sig = s.sigCache.get(m);
  if (sig === undefined) {
    sig = [m.role, ...(s.modelText.get(m) ?? [])].join("\n");
    s.sigCache.set(m, sig);
  }
  return sig;
}

export function closeContext(s: ParserState): void {
  const c = s.ctx;
  if (!c || s.facts.contexts[s.facts.contexts.length - 1] !== c) return;
  const mSig = modelSig(s, s.facts.models[c.model]);
  const sig = s.ctxText.join("\n");
  s.ctxText = [];
  // a restarted session repeats the one before it: comparing with that first (a memcmp) spares
  // hashing both long keys
  let prev = s.lastCtx && s.lastCtx.mSig === mSig && s.lastCtx.sig === sig ? s.lastCtx.fact : undefined;
  if (!prev) {
    let byModel = s.ctxSigs.get(mSig);
    if (!byModel) s.ctxSigs.set(mSig, (byModel = new Map()));
    prev = byModel.get(sig);
    if (!prev) byModel.set(sig, c);
  }
  if (prev) {
    s.facts.contexts.pop();
    prev.repeats++;
  }
  s.lastCtx = { mSig, sig, fact: prev ?? c };
}

export function newContext(s: ParserState, line: number): ContextFact {
  closeContext(s);
  const c: ContextFact = {
    index: s.facts.contexts.length,
    model: s.model ? s.model.index : -1,
    role: s.model ? s.model.role : "main",
    params: {},
    caches: [],
    recurrent: [],
    output: [],
    compute: [],
    computeBlocks: 0,
    zeroBufferLines: 0,
    nonZeroBufferLines: 0,
    repeats: 0,
    line,
  };
  s.facts.contexts.push(c);
  s.ctx = c;
  s.draftHint = false;
  return c;
}

export function context(s: ParserState, line: number): ContextFact {
  return s.ctx ?? newContext(s, line);
}

export function closeCompute(s: ParserState): void {
  if (!s.computeBlock) return;
  const block = s.computeBlock;
  s.computeBlock = undefined;
  if (block.some((b) => b.bytes > 0)) {
    const c = context(s, block[0].line);
    c.compute = block;
    c.computeBlocks++;
  }
}

export function lastCache(s: ParserState, c: ContextFact): KvCacheFact | undefined {
  return c.caches[c.caches.length - 1];
}

export function openCache(
  s: ParserState,
  c: ContextFact,
  line: number,
  kind: KvCacheFact["kind"] = "full",
): KvCacheFact {
  const k: KvCacheFact = { kind, buffers: [], line };
  c.caches.push(k);
  return k;
}

/** The cache a buffer/size/meta line belongs to: the last one unless it is already complete. */
export function cacheFor(s: ParserState, c: ContextFact, line: number, what: "buffer" | "size" | "meta"): KvCacheFact {
  const k = lastCache(s, c);
  if (!k || k.size) return openCache(s, c, line, k && k.kind !== "full" ? inheritKind(s, k.kind) : "full");
  if (what === "meta" && (k.meta || k.buffers.length)) return openCache(s, c, line);
  return k;
}

export function inheritKind(s: ParserState, kind: KvCacheFact["kind"]): KvCacheFact["kind"] {
  return kind === "dsv4" ? "dsv4" : "full";
}

export function newModel(s: ParserState, line: number): ModelLoadFact {
  closeContext(s);
  finishModel(s);
  const m: ModelLoadFact = {
    index: s.facts.models.length,
    role: s.draftHint && s.facts.models.some((x) => x.role === "main") ? "draft" : "main",
    gguf: {},
    tensorTypes: {},
    info: {},
    buffers: [],
    repeats: 0,
    line,
  };
  s.facts.models.push(m);
  s.modelText.set(m, []);
  s.model = m;
  s.ctx = undefined;
  s.draftHint = false;
  s.modelZeroLines = 0;
  return m;
}

export function finishModel(s: ParserState): void {
  const m = s.model;
  if (!m) return;
  if (m.noAlloc || (s.modelZeroLines > 0 && m.buffers.length === 0)) {
    m.role = "dry-run";
    s.sigCache.delete(m); // the role changed since a context asked
  }
  if (s.facts.models[s.facts.models.length - 1] !== m) return;
  const sig = modelSig(s, m);
  const prev = s.lastModel && s.lastModel.sig === sig ? s.lastModel.index : s.modelSigs.get(sig);
  if (prev === undefined) {
    s.modelSigs.set(sig, m.index);
    s.lastModel = { sig, index: m.index };
    return;
  }
  s.lastModel = { sig, index: prev };
  s.facts.models.pop();
  s.facts.models[prev].repeats++;
  // its contexts were compared by model signature when they closed: only re-point them
  for (const c of s.facts.contexts) if (c.model === m.index) c.model = prev;
  s.model = s.facts.models[prev];
}
