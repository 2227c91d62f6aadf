/**
 * Sources as links a reader can open: the model's own Hugging Face repository first, GitHub
 * repository files as blob URLs at a commit, and where the hand-computed reference comes from.
 */
import { InputError, type RefModel } from "./ref-model.ts";

/**
 * Where `reference` comes from: a hand computation from the config values, independent of the
 * engine, with the rules of docs/memory-model.md as of llama.cpp 34af94cd.
 */
export const REFERENCE_SOURCE =
  "Computed by hand from the model's config.json values with llama.cpp's allocation rules (docs/memory-model.md, upstream llama.cpp 34af94cd), independently of the engine";

/** `owner/repo@commit (date): path rest` or `owner/repo: path rest`, a file in a GitHub repository. */
const REPO_FILE = /^([\w.-]+\/[\w.-]+?)(?:@([0-9a-f]{7,40}\^?))?(?: \([^)]*\))?: (\S+)(.*)$/;

/** Parent commits the input names as `<hash>^`, resolved with `git rev-parse` (a URL needs a hash). */
const PARENT_OF: Record<string, string> = {
  // ollama/ollama 519b11e "site: update readme (#14217)", 2026-02-12: its parent still has the model table.
  "519b11e^": "379fd64fa837",
};

/** A source as a link a reader can open (GitHub repository files become blob URLs). */
export function sourceLink(s: string): string {
  const m = REPO_FILE.exec(s);
  if (!m) return s;
  const [, repo, ref, path, rest] = m;
  let commit = ref ?? "HEAD";
  if (commit.endsWith("^")) {
    const parent = PARENT_OF[commit];
    if (!parent) throw new InputError(`source "${s}": no resolved parent commit for ${commit}`);
    commit = parent;
  }
  const note = rest === "" || rest.startsWith(" (") ? rest : ` (${rest.trim()})`;
  return `https://github.com/${repo}/blob/${commit}/${path}${note}`;
}

/**
 * The model's own Hugging Face repository first (a cited page of it, else its config.json), then
 * the copies the values were read or corroborated from.
 */
export function primarySources(m: RefModel): string[] {
  const links = m.source.map(sourceLink);
  if (!m.hf_id) return links;
  const own = links.filter((l) => l.startsWith(`https://huggingface.co/${m.hf_id}/`));
  const rest = links.filter((l) => !own.includes(l));
  return own.length > 0 ? [...own, ...rest] : [`https://huggingface.co/${m.hf_id}/blob/main/config.json`, ...rest];
}
