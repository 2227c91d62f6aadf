/**
 * The one HTTP layer of model import (browser-safe): every response body is read through a size
 * bound (src/schemas/limits.ts) and counted, so an import can say how many bytes it fetched and a
 * hostile or broken server cannot make it download a model. Redirects are followed by `fetch`;
 * the bound applies to the final response whatever host it comes from.
 */
import { LIMITS, overLimit } from "../../schemas/limits.ts";

/** An import problem a user can act on: the message names the URL and what went wrong. */
export class ImportError extends Error {
  readonly status: number | null;
  constructor(message: string, status: number | null = null) {
    super(message);
    this.name = "ImportError";
    this.status = status;
  }
}

/** Bytes and requests one import cost. */
export class FetchMeter {
  bytes = 0;
  requests = 0;
}

export interface BoundedResponse {
  status: number;
  headers: Headers;
  body: Uint8Array<ArrayBuffer>;
  /** The URL after redirects. */
  url: string;
}

/** Read a body, refusing (and cancelling) once it passes `limit` bytes. */
async function readBody(res: Response, limit: number, url: string): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) {
    await res.body?.cancel();
    throw new ImportError(`${url}: ${overLimit("response size", declared, limit, "bytes an import reads at once")}`);
  }
  if (!res.body) return new Uint8Array(0);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > limit) {
      await reader.cancel();
      throw new ImportError(`${url}: ${overLimit("response size", n, limit, "bytes an import reads at once")}`);
    }
    parts.push(value);
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** GET `url` with a bounded body; network failures become an ImportError naming the URL. */
export async function boundedGet(
  url: string,
  meter: FetchMeter,
  opts: { limit: number; headers?: Record<string, string>; fetch?: typeof fetch },
): Promise<BoundedResponse> {
  const f = opts.fetch ?? fetch;
  let res: Response;
  try {
    res = await f(url, { headers: opts.headers, redirect: "follow" });
  } catch (e) {
    throw new ImportError(`${url}: cannot connect (${(e as Error).cause ?? (e as Error).message})`);
  }
  meter.requests++;
  const body = await readBody(res, opts.limit, url);
  meter.bytes += body.length;
  return { status: res.status, headers: res.headers, body, url: res.url || url };
}

/**
 * A `fetch` for the GGUF reader's range requests that bounds and counts each response (one read
 * chunk at most) and hands the reader a buffered Response.
 */
export function meteredFetch(meter: FetchMeter, limit: number, base: typeof fetch = fetch): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const r = await boundedGet(url, meter, {
      limit,
      headers: init?.headers as Record<string, string> | undefined,
      fetch: base,
    });
    return new Response([101, 204, 205, 304].includes(r.status) ? null : r.body, {
      status: r.status,
      headers: r.headers,
    });
  }) as typeof fetch;
}

/** Parse a bounded JSON body; a non-JSON body is an ImportError naming the URL. */
export function jsonBody(r: BoundedResponse): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(r.body));
  } catch (e) {
    throw new ImportError(`${r.url}: not JSON (${(e as Error).message})`);
  }
}

/** GET a JSON document within LIMITS.importJson. `explain` turns a failing status into words. */
export async function getJson(
  url: string,
  meter: FetchMeter,
  explain: (status: number) => string,
  opts: { headers?: Record<string, string>; fetch?: typeof fetch } = {},
): Promise<unknown> {
  const r = await boundedGet(url, meter, { limit: LIMITS.importJson, ...opts });
  if (r.status !== 200) throw new ImportError(`${url}: HTTP ${r.status}: ${explain(r.status)}`, r.status);
  return jsonBody(r);
}

/** A base URL from a setting: http(s) only, no trailing slash. */
export function normaliseBase(base: string, setting: string): string {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    throw new ImportError(`${setting}: "${base}" is not a URL`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:")
    throw new ImportError(`${setting}: "${base}" is not an http(s) URL`);
  return u.href.replace(/\/+$/, "");
}
