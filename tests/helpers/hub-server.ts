/**
 * A local stand-in (127.0.0.1 only) for the Hugging Face Hub and the Ollama registry HTTP
 * layouts the importers use: `/api/models/<repo>[/revision/<rev>]`, `/<repo>/resolve/<rev>/<file>`
 * (large files redirected to a CDN path, as the Hub does for LFS), `/v2/<ns>/<name>/manifests/<tag>`
 * and `/v2/<ns>/<name>/blobs/<digest>` (redirected to a blob store, as registry.ollama.ai does).
 * Files answer Range requests with 206 + Content-Range, 416 past the end; a file may be "virtual"
 * (a header followed by zeros up to `size`), so multi-GB models cost nothing. Every request is
 * logged with the bytes sent, so tests can assert that nothing large was downloaded.
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface HubFile {
  /** The first bytes of the file; the rest up to `size` reads as zeros. */
  head: Uint8Array;
  size: number;
  /** Serve the whole body with 200, ignoring Range (a broken server). */
  ignoreRange?: boolean;
}

export interface HubRepo {
  /** Files by path (revision `main` unless `revs` says otherwise). */
  files: Record<string, HubFile>;
  /** Status to answer every request of the repo with (401 gated, 500 …). */
  status?: number;
  /** Status for file downloads only: a gated repo lists its files but refuses them (401). */
  resolveStatus?: number;
  /** Other revisions that exist (same files). */
  revs?: string[];
}

export interface OllamaModel {
  manifest: unknown;
  blobs: Record<string, HubFile>;
}

export interface HubLog {
  method: string;
  url: string;
  status: number;
  bytes: number;
}

export interface HubServer {
  base: string;
  log: HubLog[];
  close(): Promise<void>;
}

export const jsonFile = (v: unknown): HubFile => {
  const head = new TextEncoder().encode(JSON.stringify(v));
  return { head, size: head.length };
};

function send(
  res: ServerResponse,
  log: HubLog[],
  req: IncomingMessage,
  status: number,
  body: Uint8Array,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { "content-length": String(body.length), ...headers });
  res.end(body);
  log.push({ method: req.method ?? "GET", url: req.url ?? "", status, bytes: body.length });
}

function bytesOf(f: HubFile, start: number, end: number): Uint8Array {
  const out = new Uint8Array(end - start);
  if (start < f.head.length) out.set(f.head.subarray(start, Math.min(end, f.head.length)));
  return out;
}

function serveFile(req: IncomingMessage, res: ServerResponse, log: HubLog[], f: HubFile) {
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
  if (!range || f.ignoreRange) {
    // a whole multi-GB virtual file is never sent: cap at 64 MiB, the client must refuse first
    return send(res, log, req, 200, bytesOf(f, 0, Math.min(f.size, 64 << 20)), {
      "content-type": "application/octet-stream",
    });
  }
  const start = Number(range[1]);
  const end = Math.min(range[2] === "" ? f.size - 1 : Number(range[2]), f.size - 1);
  if (start >= f.size) return send(res, log, req, 416, new Uint8Array(0), { "content-range": `bytes */${f.size}` });
  send(res, log, req, 206, bytesOf(f, start, end + 1), { "content-range": `bytes ${start}-${end}/${f.size}` });
}

const text = (s: string) => new TextEncoder().encode(s);

/** Start the server; `hf` by repo id (`owner/name`), `ollama` by `ns/name:tag`. */
export async function startHubServer(opts: {
  hf?: Record<string, HubRepo>;
  ollama?: Record<string, OllamaModel>;
}): Promise<HubServer> {
  const log: HubLog[] = [];
  const hf = opts.hf ?? {};
  const ollama = opts.ollama ?? {};
  const cdn = new Map<string, HubFile>();
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    const notFound = () => send(res, log, req, 404, text('{"error":"not found"}'));
    let m = /^\/cdn\/(.+)$/.exec(path);
    if (m) return cdn.has(m[1]) ? serveFile(req, res, log, cdn.get(m[1])!) : notFound();
    m = /^\/api\/models\/([^/]+\/[^/]+)(?:\/revision\/(.+))?$/.exec(path);
    if (m) {
      const repo = hf[m[1]];
      if (!repo || (m[2] && !repo.revs?.includes(m[2]))) return notFound();
      if (repo.status) return send(res, log, req, repo.status, text('{"error":"refused"}'));
      const body = { id: m[1], siblings: Object.keys(repo.files).map((rfilename) => ({ rfilename })) };
      return send(res, log, req, 200, text(JSON.stringify(body)), { "content-type": "application/json" });
    }
    m = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(path);
    if (m) {
      const repo = hf[m[1]];
      if (!repo || (m[2] !== "main" && !repo.revs?.includes(m[2]))) return notFound();
      const refused = repo.status ?? repo.resolveStatus;
      if (refused) return send(res, log, req, refused, text("refused"));
      const f = repo.files[m[3]];
      if (!f) return notFound();
      if (/\.(gguf|safetensors)$/.test(m[3])) {
        const key = `${m[1]}/${m[3]}`;
        cdn.set(key, f);
        return send(res, log, req, 302, new Uint8Array(0), { location: `/cdn/${key}` });
      }
      return serveFile(req, res, log, f);
    }
    m = /^\/v2\/([^/]+)\/([^/]+)\/(manifests|blobs)\/(.+)$/.exec(path);
    if (m) {
      if (m[3] === "manifests") {
        const model = ollama[`${m[1]}/${m[2]}:${m[4]}`];
        if (!model) return send(res, log, req, 404, text('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}'));
        return send(res, log, req, 200, text(JSON.stringify(model.manifest)), { "content-type": "application/json" });
      }
      for (const model of Object.values(ollama)) {
        const blob = model.blobs[m[4]];
        if (blob) {
          cdn.set(m[4], blob);
          return send(res, log, req, 307, new Uint8Array(0), { location: `/cdn/${m[4]}` });
        }
      }
      return notFound();
    }
    if (path === "/fail") return send(res, log, req, 500, text("boom"));
    notFound();
  };
  const server: Server = createServer(handle);
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    log,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
