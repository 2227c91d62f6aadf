/**
 * Reading a step's outcome from llama.cpp's own lines: did the allocation fail (the configuration
 * does not fit: a result), or did something else go wrong (a failure)? And which K/V types did
 * llama.cpp really allocate (node-llama-cpp silently ignores type names it does not know)?
 */

/**
 * Allocation failures as llama.cpp and ggml print them (de3ff81): ggml-backend / ggml-alloc
 * `failed to allocate … buffer of size N`, `llama_kv_cache` `failed to allocate buffer for kv
 * cache`, `llama_memory_recurrent` `… for rs cache`, `unable to allocate <buft> buffer` (model),
 * `failed to allocate compute pp/tg buffers`, CUDA `cudaMalloc failed: out of memory`, Metal
 * `error: failed to allocate buffer, size = …`, Vulkan `OutOfDeviceMemory`, and the C library's
 * `std::bad_alloc`.
 */
const ALLOCATION_FAILURE =
  /failed to allocate (?:\S+ )?buffer|failed to allocate compute|failed to allocate output buffer|unable to allocate \S+ buffer|cudaMalloc failed|out of memory|OutOfDeviceMemory|ErrorOutOfHostMemory|std::bad_alloc|failed to allocate [0-9.]+ ?MB|failed to allocate \d+ bytes/i;

export function isAllocationFailure(text: string): boolean {
  return ALLOCATION_FAILURE.test(text);
}

/** `did-not-fit` if any line (or the error message) reports an allocation failure, else `failed`. */
export function classifyFailure(lines: readonly string[], error?: string): "did-not-fit" | "failed" {
  if (error && isAllocationFailure(error)) return "did-not-fit";
  return lines.some(isAllocationFailure) ? "did-not-fit" : "failed";
}

/** The error lines worth quoting in a message (level E or error wording), at most `max`. */
export function errorLines(lines: readonly { level: string; text: string }[], max = 4): string[] {
  return lines
    .filter((l) => l.level === "E" || /error|failed|unable|refus/i.test(l.text))
    .slice(-max)
    .map((l) => l.text.trim());
}

const KV_SIZE =
  /llama_kv_cache(?:_\w+)?: size =\s*([0-9.]+) MiB \(\s*(\d+) cells,\s*(\d+) layers,\s*(\d+)\/(\d+) seqs\), K \((\w+)\):\s*[0-9.]+ MiB(?:, V \((\w+)\):\s*[0-9.]+ MiB)?/;

export interface KvSizeSeen {
  mib: number;
  /** The MiB figure exactly as printed (`2.12`). */
  printed: string;
  cells: number;
  k: string;
  v: string | null;
}

export function kvSizeLines(lines: readonly string[]): KvSizeSeen[] {
  const out: KvSizeSeen[] = [];
  for (const l of lines) {
    const m = KV_SIZE.exec(l);
    if (m) out.push({ mib: Number(m[1]), printed: m[1], cells: Number(m[2]), k: m[6], v: m[7] ?? null });
  }
  return out;
}

/**
 * Check that every KV cache llama.cpp created has the requested types. Returns a message naming
 * the mismatch, or null when they agree (or when the model has no KV cache to check).
 */
export function kvTypeMismatch(seen: readonly KvSizeSeen[], k: string, v: string): string | null {
  for (const s of seen) {
    if (s.k !== k)
      return `asked for K cache type ${k}, llama.cpp allocated ${s.k} (size line: ${s.mib.toFixed(2)} MiB)`;
    if (s.v !== null && s.v !== v)
      return `asked for V cache type ${v}, llama.cpp allocated ${s.v} (size line: ${s.mib.toFixed(2)} MiB)`;
  }
  return null;
}

/** `llama_context: n_ctx = N` (the last one logged). */
export function loggedNCtx(lines: readonly string[]): number | undefined {
  let n: number | undefined;
  for (const l of lines) {
    const m = /llama_context: n_ctx\s*=\s*(\d+)/.exec(l);
    if (m) n = Number(m[1]);
  }
  return n;
}

/**
 * bytes as llama.cpp prints them with `%.2f MiB`. bytes / 2^20 is exact in binary, so glibc's
 * printf rounds a true tie to even: 2,228,224 B = 2.125 MiB prints "2.12" (JavaScript's toFixed
 * would say "2.13").
 */
export function printfMiB2(bytes: number): string {
  const b = BigInt(Math.round(bytes));
  const den = 1048576n;
  const num = b * 100n;
  let q = num / den;
  const r = num % den;
  if (2n * r > den || (2n * r === den && q % 2n === 1n)) q += 1n;
  const s = q.toString().padStart(3, "0");
  return `${s.slice(0, -2)}.${s.slice(-2)}`;
}
