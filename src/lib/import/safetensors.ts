/**
 * Safetensors headers by range requests (browser-safe): the first 8 bytes give the header length
 * (u64 little-endian), the next N bytes are the JSON header `{name: {dtype, shape, data_offsets}}`.
 * Only headers are fetched, never tensor data. Σ elements is the checkpoint's exact parameter
 * count; dtypes are tallied by element.
 */
import { LIMITS, overLimit } from "../../schemas/limits.ts";
import { boundedGet, ImportError } from "./http.ts";
import type { FetchMeter } from "./http.ts";

export interface SafetensorsSummary {
  /** Σ elements over every tensor of every file. */
  nParams: number;
  /** Elements per dtype (`BF16`, `F32`, `F8_E4M3` …). */
  dtypes: Record<string, number>;
  tensorNames: string[];
  files: number;
}

async function rangeGet(url: string, start: number, end: number, meter: FetchMeter, f?: typeof fetch) {
  const r = await boundedGet(url, meter, {
    limit: end - start,
    headers: { Range: `bytes=${start}-${end - 1}` },
    fetch: f,
  });
  if (r.status !== 206)
    throw new ImportError(
      r.status === 200
        ? `${url}: the server ignored the Range request; refusing to download the file`
        : `${url}: HTTP ${r.status}`,
      r.status,
    );
  if (r.body.length !== end - start) throw new ImportError(`${url}: short range response (${r.body.length} B)`);
  return r.body;
}

/** Read one safetensors header into `acc`. */
export async function readSafetensorsHeader(
  url: string,
  meter: FetchMeter,
  acc: SafetensorsSummary,
  f?: typeof fetch,
): Promise<void> {
  const head = await rangeGet(url, 0, 8, meter, f);
  const n = new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(LIMITS.safetensorsHeader) || n < 2n)
    throw new ImportError(`${url}: ${overLimit("safetensors header length", n, LIMITS.safetensorsHeader, "bytes")}`);
  const body = await rangeGet(url, 8, 8 + Number(n), meter, f);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(body));
  } catch (e) {
    throw new ImportError(`${url}: safetensors header is not JSON (${(e as Error).message})`);
  }
  if (!json || typeof json !== "object") throw new ImportError(`${url}: safetensors header is not an object`);
  for (const [name, t] of Object.entries(json as Record<string, unknown>)) {
    if (name === "__metadata__") continue;
    const info = t as { dtype?: unknown; shape?: unknown };
    if (typeof info?.dtype !== "string" || !Array.isArray(info.shape))
      throw new ImportError(`${url}: tensor "${name}" has no dtype/shape`);
    let el = 1;
    for (const d of info.shape) {
      if (typeof d !== "number" || !Number.isInteger(d) || d < 0)
        throw new ImportError(`${url}: tensor "${name}" has shape ${JSON.stringify(info.shape)}`);
      el *= d;
    }
    acc.nParams += el;
    acc.dtypes[info.dtype] = (acc.dtypes[info.dtype] ?? 0) + el;
    acc.tensorNames.push(name);
  }
  acc.files++;
}

/** The shard file names of a `model.safetensors.index.json` (its weight_map values). */
export function indexShards(index: unknown, where: string): string[] {
  const map = (index as { weight_map?: unknown } | null)?.weight_map;
  if (!map || typeof map !== "object") throw new ImportError(`${where}: key "weight_map" is missing`);
  const files = [...new Set(Object.values(map as Record<string, unknown>))];
  if (files.some((f) => typeof f !== "string" || !/^[\w.-]+\.safetensors$/.test(f)))
    throw new ImportError(`${where}: weight_map names a file that is not a plain .safetensors name`);
  if (files.length > LIMITS.importFiles)
    throw new ImportError(`${where}: ${overLimit("shards", files.length, LIMITS.importFiles, "files")}`);
  return files as string[];
}
