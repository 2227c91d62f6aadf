/**
 * Import a model by its Hugging Face id (browser-safe) through the Hub's public HTTP layout:
 * `<base>/api/models/<repo>[/revision/<rev>]` (the file list) and `<base>/<repo>/resolve/<rev>/<file>`
 * (files; GGUF and safetensors read by range requests). The base is `HF_ENDPOINT`'s convention
 * (default https://huggingface.co), so mirrors work. Nothing large is downloaded: JSON documents
 * are bounded, safetensors and GGUF are read header-only, and every byte is counted.
 */
import { LIMITS, overLimit } from "../../schemas/limits.ts";
import { readGgufHeaderFrom, urlSource } from "../gguf/header.ts";
import type { GgufHeader } from "../gguf/header.ts";
import { READ_CHUNK } from "../gguf/parse.ts";
import { hfConfigToArchitecture } from "./hf-config.ts";
import type { HfArchitecture } from "./hf-config.ts";
import { FetchMeter, getJson, ImportError, meteredFetch } from "./http.ts";
import { indexShards, readSafetensorsHeader } from "./safetensors.ts";
import type { SafetensorsSummary } from "./safetensors.ts";

export const HF_DEFAULT_ENDPOINT = "https://huggingface.co";

export interface HfSpec {
  repo: string;
  rev: string;
}

/** `owner/name[@rev]` (the `hf:` prefix already removed). */
export function parseHfSpec(s: string): HfSpec {
  const at = s.indexOf("@");
  const repo = at < 0 ? s : s.slice(0, at);
  const rev = at < 0 ? "main" : s.slice(at + 1);
  if (!/^[A-Za-z0-9][\w.-]{0,95}\/[A-Za-z0-9][\w.-]{0,95}$/.test(repo) || repo.includes(".."))
    throw new ImportError(`hf:${s}: "${repo}" is not a Hugging Face repo id (owner/name)`);
  if (!/^[\w.-][\w./-]{0,127}$/.test(rev) || rev.includes(".."))
    throw new ImportError(`hf:${s}: "${rev}" is not a revision (branch, tag or commit)`);
  return { repo, rev };
}

const explain = (what: string) => (status: number) =>
  status === 401 || status === 403
    ? `${what} is gated or private: accept its licence on the Hub (or use a public mirror / a downloaded file)`
    : status === 404
      ? `${what} does not exist (check the id and the revision)`
      : `the Hub did not serve ${what}`;

export const resolveUrl = (base: string, s: HfSpec, file: string): string =>
  `${base}/${s.repo}/resolve/${encodeURIComponent(s.rev)}/${file.split("/").map(encodeURIComponent).join("/")}`;

/** Split GGUF naming: `<stem>-00001-of-00003.gguf`. */
const SPLIT = /-(\d{5})-of-(\d{5})\.gguf$/i;

/** A GGUF repo holds several files and nothing chose one: the files to choose from. */
export class GgufChoiceError extends ImportError {
  readonly files: readonly string[];
  constructor(message: string, files: readonly string[]) {
    super(message);
    this.name = "GgufChoiceError";
    this.files = files;
  }
}

export interface HfGgufChoice {
  file: string;
  files: string[];
}

/** The GGUF file to read: `ggufFile` by name, else the one whose name carries `ftype`, else the only one. */
export function chooseGguf(siblings: readonly string[], want: { ggufFile?: string | null; ftype?: string | null }) {
  const models = siblings.filter((f) => /\.gguf$/i.test(f) && !/mmproj/i.test(f));
  const firsts = models.filter((f) => !SPLIT.test(f) || SPLIT.exec(f)![1] === "00001");
  const list = `files: ${firsts.join(", ")}`;
  let pick: string[];
  if (want.ggufFile) pick = firsts.filter((f) => f === want.ggufFile || f.endsWith(`/${want.ggufFile}`));
  else if (want.ftype) {
    const ft = want.ftype.toLowerCase();
    pick = firsts.filter((f) => new RegExp(`[-_.]${ft.replace(/[^a-z0-9_]/g, "")}[-_.]`, "i").test(f));
  } else pick = firsts.length === 1 ? firsts : [];
  if (pick.length !== 1) {
    const why = want.ggufFile
      ? `no GGUF named ${want.ggufFile}`
      : want.ftype
        ? `${pick.length || "no"} GGUF file${pick.length === 1 ? "" : "s"} for ftype ${want.ftype}`
        : `${firsts.length} GGUF files`;
    throw new GgufChoiceError(`${why}; choose one with --gguf-file <name> or --weights <ftype> (${list})`, firsts);
  }
  const file = pick[0];
  const m = SPLIT.exec(file);
  if (!m) return { file, files: [file] };
  const n = Number(m[2]);
  if (n > LIMITS.importFiles) throw new ImportError(overLimit(`${file} splits`, n, LIMITS.importFiles, "files"));
  const files = Array.from({ length: n }, (_, i) =>
    file.replace(SPLIT, `-${String(i + 1).padStart(5, "0")}-of-${m[2]}.gguf`),
  );
  const missing = files.filter((f) => !models.includes(f));
  if (missing.length) throw new ImportError(`${file}: split file ${missing[0]} is not in the repo`);
  return { file, files };
}

export type HfImport =
  | {
      kind: "config";
      spec: HfSpec;
      arch: HfArchitecture;
      safetensors: SafetensorsSummary | null;
      bytes: number;
      requests: number;
    }
  | { kind: "gguf"; spec: HfSpec; file: string; headers: GgufHeader[]; bytes: number; requests: number };

export interface HfImportOptions {
  endpoint?: string;
  ggufFile?: string | null;
  ftype?: string | null;
  fetch?: typeof fetch;
}

async function siblingsOf(base: string, s: HfSpec, meter: FetchMeter, f?: typeof fetch): Promise<string[]> {
  const url = `${base}/api/models/${s.repo}${s.rev === "main" ? "" : `/revision/${encodeURIComponent(s.rev)}`}`;
  const info = (await getJson(url, meter, explain(`repo ${s.repo}@${s.rev}`), { fetch: f })) as {
    siblings?: unknown;
  };
  if (!Array.isArray(info?.siblings)) throw new ImportError(`${url}: no "siblings" file list`);
  return info.siblings
    .map((x) => (x as { rfilename?: unknown })?.rfilename)
    .filter((x): x is string => typeof x === "string");
}

async function readSafetensors(base: string, s: HfSpec, files: string[], meter: FetchMeter, f?: typeof fetch) {
  let shards: string[];
  if (files.includes("model.safetensors.index.json")) {
    const url = resolveUrl(base, s, "model.safetensors.index.json");
    shards = indexShards(await getJson(url, meter, explain(url), { fetch: f }), url);
  } else if (files.includes("model.safetensors")) shards = ["model.safetensors"];
  else return null;
  const acc: SafetensorsSummary = { nParams: 0, dtypes: {}, tensorNames: [], files: 0 };
  for (const shard of shards) await readSafetensorsHeader(resolveUrl(base, s, shard), meter, acc, f);
  return acc;
}

/** Import `owner/name[@rev]`: a GGUF repo's chosen file header, else config.json + safetensors headers. */
export async function importHf(spec: string, opts: HfImportOptions = {}): Promise<HfImport> {
  const s = parseHfSpec(spec);
  const base = (opts.endpoint ?? HF_DEFAULT_ENDPOINT).replace(/\/+$/, "");
  const meter = new FetchMeter();
  const f = opts.fetch;
  const files = await siblingsOf(base, s, meter, f);
  if (files.some((x) => /\.gguf$/i.test(x))) {
    const choice = chooseGguf(files, opts);
    const rf = meteredFetch(meter, READ_CHUNK, f);
    const headers: GgufHeader[] = [];
    for (const file of choice.files) {
      const url = resolveUrl(base, s, file);
      try {
        headers.push(await readGgufHeaderFrom(urlSource(url, rf), url));
      } catch (e) {
        const status = /HTTP (\d{3})/.exec((e as Error).message)?.[1];
        if (status) throw new ImportError(`${url}: HTTP ${status}: ${explain(file)(Number(status))}`, Number(status));
        throw e;
      }
    }
    return { kind: "gguf", spec: s, file: choice.file, headers, bytes: meter.bytes, requests: meter.requests };
  }
  if (!files.includes("config.json"))
    throw new ImportError(`hf:${spec}: the repo has neither config.json nor a .gguf file`);
  const cfgUrl = resolveUrl(base, s, "config.json");
  const cfg = await getJson(cfgUrl, meter, explain(`config.json of ${s.repo}`), { fetch: f });
  const st = await readSafetensors(base, s, files, meter, f);
  const tied = st ? !st.tensorNames.some((n) => n === "lm_head.weight" || n.endsWith(".lm_head.weight")) : null;
  const arch = hfConfigToArchitecture(cfg, {
    where: `${s.repo} config.json`,
    name: s.repo.split("/")[1],
    tied,
    nParams: st?.nParams ?? null,
  });
  return { kind: "config", spec: s, arch, safetensors: st, bytes: meter.bytes, requests: meter.requests };
}
