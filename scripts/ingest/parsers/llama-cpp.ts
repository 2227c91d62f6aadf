/**
 * llama.cpp / llama-server log parser (examples: tests/fixtures/ingest/log-formats/llama-cpp/). One state machine covers every
 * historical spelling: the line prefix of a family changed many times, so the matchers look for
 * the distinctive part of a line (`KV buffer size`, `size = … cells`) and keep the prefix only as
 * provenance. It consumes one line at a time (`createLlamaCppParser`) so that a 200 MB log is
 * parsed streamed with flat memory; `parseLlamaCppLog(text)` is the convenience for small texts.
 *
 * Grouping rules (documented in the methodology and tested):
 * - a model load starts at `llama_model_loader: loaded meta data`; it is a `draft` when a line
 *   mentioning a draft model appeared since the previous context, a `dry-run` when
 *   `print_info: no_alloc = 1` or all its buffer lines are `0.00 MiB` (`--fit`), else `main`;
 * - a context starts at `constructing llama_context`, or at a context-parameter line that its
 *   context already has (builds without the constructing line);
 * - cache instances: an iSWA/DSA `creating … KV cache` line, or a buffer / size line after a
 *   cache that is already complete, starts a new one;
 * - compute buffers come in blocks (consecutive lines); the last block with a non-zero size wins
 *   (re-reserve after the first decode, `--fit` dry runs print zeros);
 * - the last memory-breakdown table of a context wins.
 */
import { normaliseLine, runOnStream, runOnText, type LineParser } from "./common.ts";
import { MAX_LOG_WARNINGS } from "./llama-cpp/patterns.ts";
import type { ContextFact, ModelLoadFact, LlamaCppFacts } from "./llama-cpp/types.ts";
import { RE_GATE, RE_RELEVANT } from "./llama-cpp/patterns.ts";
import { newParserState, closeContext, closeCompute, finishModel } from "./llama-cpp/state.ts";
import { handleBuffer, handleSizeLine, handleKvSelf } from "./llama-cpp/kv-lines.ts";
import { handleBreakdown } from "./llama-cpp/breakdown.ts";
import { handleLoader, handleInfo } from "./llama-cpp/model-info.ts";
import { handleKeyValue } from "./llama-cpp/context-params.ts";
import { handleOther } from "./llama-cpp/other-lines.ts";

export type * from "./llama-cpp/types.ts";

/** Create a line-at-a-time llama.cpp log parser. */
export function createLlamaCppParser(): LineParser<LlamaCppFacts> {
  const s = newParserState();
  return {
    push(raw: string, n: number): void {
      s.facts.lines = n;
      const { text: t, level } = normaliseLine(raw);
      if (t.length === 0) return;
      const isCompute = t.includes("compute buffer size") && !t.includes("expectation");
      if (s.computeBlock && !isCompute) closeCompute(s);
      if (s.breakdownOpen && !t.includes("breakdown")) s.breakdownOpen = undefined;
      if ((level === "W" || level === "E") && s.facts.logWarnings.length < MAX_LOG_WARNINGS)
        s.facts.logWarnings.push({ level, text: t.length > 300 ? `${t.slice(0, 300)}…` : t, line: n });
      // one scan decides whether any handler could care: request/slot lines of a long server log stop here
      if (!RE_GATE.test(t)) return;
      let ok = false;
      // the two most frequent families first, by their prefix
      if (t.startsWith("print_info:") || t.startsWith("llm_load_print_meta:")) ok = handleInfo(s, t, n);
      else if (t.includes("llama_model_loader:")) ok = handleLoader(s, t, n);
      else if (t.includes("expectation") && t.includes("buffer size")) {
        // destructor check (`~llama_context: … compute buffer size is X MiB, matches / does not match expectation of Y MiB`)
        if (t.includes("does not match")) s.facts.kvNotes.push({ text: t.trim(), line: n });
        ok = true;
      } else if (t.includes("buffer size")) ok = handleBuffer(s, t, n);
      else if (t.includes("cells,")) ok = handleSizeLine(s, t, n);
      else if (t.includes("KV self size")) ok = handleKvSelf(s, t, n);
      else if (t.includes("breakdown")) ok = handleBreakdown(s, t, n);
      if (!ok && t.includes("=")) ok = handleKeyValue(s, t, n);
      if (!ok) ok = handleOther(s, t, n);
      if (ok) {
        s.facts.recognisedLines++;
        if (s.runLevelLine) s.runLevelLine = false;
        else if (s.ctx) s.ctxText.push(t);
        else if (s.model) s.modelText.get(s.model)?.push(t);
      } else if ((t.includes("MiB") || t.includes("breakdown") || t.includes(" MB")) && RE_RELEVANT.test(t))
        s.warnings.add(n, t, "looks like a llama.cpp memory line but matches no known format");
    },
    finish(): LlamaCppFacts {
      closeCompute(s);
      closeContext(s);
      finishModel(s);
      for (const c of s.facts.contexts) {
        const m = c.model >= 0 ? s.facts.models[c.model] : undefined;
        if (m) c.role = m.role;
        if (c.role !== "draft" && c.zeroBufferLines > 0 && c.nonZeroBufferLines === 0) c.role = "dry-run";
      }
      s.facts.warnings = s.warnings.list();
      return s.facts;
    },
  };
}

/** Parse a whole llama.cpp log held in memory. */
export function parseLlamaCppLog(text: string): LlamaCppFacts {
  return runOnText(createLlamaCppParser(), text);
}

/** Parse a llama.cpp log from a byte stream (file, stdin) with bounded memory. */
export async function parseLlamaCppStream(
  stream: AsyncIterable<Buffer | string>,
): Promise<LlamaCppFacts & { bytes: number }> {
  const r = await runOnStream(createLlamaCppParser(), stream);
  return { ...r.facts, bytes: r.bytes };
}

/** The contexts that describe the measured model (not drafts, not `--fit` dry runs). */
export function mainContexts(f: LlamaCppFacts): ContextFact[] {
  return f.contexts.filter(
    (c) => c.role === "main" && (c.caches.length > 0 || c.recurrent.length > 0 || c.compute.length > 0),
  );
}

/** The model load a context belongs to, or the last main model load. */
export function modelOf(f: LlamaCppFacts, c?: ContextFact): ModelLoadFact | undefined {
  if (c && c.model >= 0) return f.models[c.model];
  return [...f.models].reverse().find((m) => m.role === "main");
}
