/**
 * Upper bounds on every size that drives work (loops, arrays, allocations) in the engine, the
 * calculator and ingest. Model files, architecture JSON and calculator links come from
 * strangers: a header declaring 10^8 layers would otherwise freeze a tab or exhaust the heap.
 * Each bound is far above any real model (the largest of the reference build's architectures,
 * mid-2026: 160 layers, 128 query heads, n_embd 18 432, 512 experts, a 262 144-token vocabulary,
 * a 10 M-token context) so no real model is refused. Enforced in one place each: the
 * architecture and runtime schemas (zod) and the GGUF reader (header counts before any
 * allocation); the errors name the field and its limit.
 */
export const LIMITS = {
  /** block_count and every per-layer array, layer index and layer count. */
  layers: 4096,
  /** Query / KV heads, per layer. */
  heads: 65_536,
  /** Widths: n_embd, head dims, recurrent inner/state sizes, MLA ranks. */
  width: 1_048_576,
  /** Feed-forward widths (dense and per expert). */
  ffn: 4_194_304,
  /** Experts per layer. */
  experts: 65_536,
  /** Vocabulary (2^24). */
  vocab: 16_777_216,
  /** Context, sliding window and KV cells (2^31: llama.cpp indexes cells with int32). */
  cells: 2_147_483_648,
  /** Micro-batch / batch tokens. */
  batch: 2_147_483_648,
  /** GGUF: tensors in one file. */
  ggufTensors: 1_048_576,
  /** GGUF: metadata key/value pairs. */
  ggufKv: 65_536,
  /** GGUF: elements of one metadata array (vocabularies, merges). */
  ggufArray: 16_777_216,
  /** GGUF: bytes of one string (keys, tensor names, chat templates). */
  ggufString: 16_777_216,
  /** Characters of a name or architecture string kept from a model file. */
  name: 256,
  /** Import: bytes of one JSON response (config.json, a repo listing, a safetensors index, a manifest). */
  importJson: 8_388_608,
  /** Import: bytes of one safetensors header (the JSON before the tensor data). */
  safetensorsHeader: 16_777_216,
  /** Import: safetensors shards or GGUF splits read for one model. */
  importFiles: 1024,
} as const;

/** The message of a limit error: `field: 123 is above the limit of 4096 (what it bounds)`. */
export function overLimit(field: string, value: number | bigint, limit: number, what: string): string {
  return `${field}: ${String(value)} is above the limit of ${limit} (${what})`;
}
