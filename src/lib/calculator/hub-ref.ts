/**
 * The calculator's one import box (pure): a Hugging Face id (`Qwen/Qwen3-30B-A3B`, `hf:` prefix,
 * `@rev` suffix) or an Ollama tag (`ollama:qwen3.5:27b` or `qwen3.5:27b`). Hugging Face is read in
 * the browser through the Hub's public HTTP API (src/lib/import/hf-hub.ts; huggingface.co serves
 * its API and files cross-origin, huggingface/huggingface_hub#468). Ollama's registry is not
 * meant for cross-origin reads — its maintainers point users to `ollama pull` and the local API
 * (ollama/ollama#3096), and `OLLAMA_ORIGINS` governs only the local server — so an Ollama tag is
 * answered with the exact `npm run calc` command that reads it instead.
 */
import { formatDecimal, groupDigits } from "../format.ts";
import { shellQuote } from "./commands.ts";
import type { CalcState } from "./state.ts";

export const HF_DEFAULT_BASE = "https://huggingface.co";
export const OLLAMA_DEFAULT_BASE = "https://registry.ollama.ai";

export type ModelRef =
  { kind: "hf"; id: string } | { kind: "ollama"; tag: string } | { kind: "invalid"; message: string };

const HF_ID = /^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}(@[\w.-][\w./-]{0,127})?$/;
const OLLAMA_TAG = /^([a-z0-9][\w.-]{0,63}\/)?[a-z0-9][\w.-]{0,63}(:[\w][\w.-]{0,127})?$/i;

/** Read what the user typed; an https://huggingface.co/<owner>/<name> page URL is taken as its id. */
export function parseModelRef(input: string): ModelRef {
  let s = input.trim();
  if (s === "") return { kind: "invalid", message: "Type a Hugging Face id (owner/name) or an Ollama tag (name:tag)." };
  const page = /^https:\/\/(?:www\.)?(?:huggingface\.co|hf\.co)\/([^/?#]+\/[^/?#]+)\/?$/.exec(s);
  if (page) s = `hf:${page[1]}`;
  const lower = s.toLowerCase();
  if (lower.startsWith("hf:")) s = s.slice(3);
  else if (lower.startsWith("ollama:")) return ollamaRef(s.slice(7), input);
  else if (!s.includes("/") || s.includes(":")) return ollamaRef(s, input);
  if (!HF_ID.test(s) || s.includes(".."))
    return {
      kind: "invalid",
      message: `"${input.trim()}" is not a Hugging Face id (owner/name, optionally @revision).`,
    };
  return { kind: "hf", id: s };
}

function ollamaRef(tag: string, input: string): ModelRef {
  if (!tag.includes(":") && !tag.includes("/"))
    return {
      kind: "invalid",
      message: `"${input.trim()}": write owner/name for a Hugging Face repo or name:tag for an Ollama model (e.g. qwen3.5:27b).`,
    };
  if (!OLLAMA_TAG.test(tag) || tag.includes(".."))
    return { kind: "invalid", message: `"${input.trim()}" is not an Ollama tag ([namespace/]name[:tag]).` };
  return { kind: "ollama", tag: tag.includes(":") ? tag : `${tag}:latest` };
}

/** The CLI command that reads an Ollama tag's manifest and GGUF headers (scripts/calc.ts). */
export function ollamaCliCommand(tag: string, state: CalcState, budgetBytes: number | null): string {
  const a = [
    "npm run calc --",
    `--model ${shellQuote(`ollama:${tag}`)}`,
    `--engine ${state.engine}`,
    `--ctx ${state.ctx}`,
    `--ctk ${state.typeK}`,
    `--ctv ${state.typeV}`,
    `--parallel ${state.nSeq}`,
    ...(state.unified ? ["--unified"] : []),
    `--backend ${state.backend}`,
    ...(budgetBytes !== null ? [`--budget ${budgetBytes}`] : []),
    ...(state.olBase && state.olBase !== OLLAMA_DEFAULT_BASE ? [`--ollama-registry ${shellQuote(state.olBase)}`] : []),
  ];
  return a.join(" ");
}

/** "fetched 1,234 B (1.23 kB) in 2 requests (…); nothing else was downloaded" */
export function fetchedNote(bytes: number, requests: number, what: string): string {
  return `Fetched ${groupDigits(bytes)} B (${formatDecimal(bytes)}) in ${requests} request${requests === 1 ? "" : "s"} (${what}); nothing else was downloaded.`;
}

/** Why the page answers an Ollama tag with a command. */
export function ollamaNotice(tag: string): string {
  return (
    `Ollama's registry does not allow this page to read ${tag} (no cross-origin access: ollama/ollama#3096), ` +
    `so the check runs on your machine instead; this command reads the manifest and the GGUF headers only:`
  );
}

/**
 * Why an import failed, in words, and whether the configuration before it is kept (every
 * ordinary failure) or the default model shown (a header over src/schemas/limits.ts: hostile
 * input), as the GGUF URL path does (./gguf-failure.ts).
 */
export function importFailure(ref: string, err: unknown): { notice: string; keepConfig: boolean } {
  const msg = err instanceof Error ? err.message : String(err);
  if (/ is above the limit of \d+/.test(msg))
    return { notice: `Could not import ${ref}: ${msg}. Showing the default model.`, keepConfig: false };
  let e: unknown = err;
  for (let i = 0; e instanceof Error && i < 4; e = e.cause, i++)
    if (e instanceof TypeError || /failed to fetch|fetch failed|networkerror|load failed/i.test(e.message))
      return {
        notice: `Could not import ${ref}: network error (offline, the host unreachable, or a mirror that does not allow cross-origin requests). Your settings are unchanged.`,
        keepConfig: true,
      };
  return { notice: `Could not import ${ref}: ${msg}. Your settings are unchanged.`, keepConfig: true };
}
