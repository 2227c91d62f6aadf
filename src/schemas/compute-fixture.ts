import { z } from "zod";

/**
 * A compute-buffer fixture (tests/fixtures/compute/<geometry>.json): llama.cpp's own CPU graph
 * reservations of one zero-weight GGUF of a real geometry, one case per runtime configuration.
 */
export const ComputeFixtureCaseSchema = z.object({
  id: z.string(),
  n_ctx: z.number().int().positive(),
  n_seq: z.number().int().positive(),
  n_ubatch: z.number().int().positive(),
  flash_attn: z.enum(["on", "off"]),
  type_k: z.string(),
  type_v: z.string(),
  args: z.array(z.string()),
  ok: z.boolean(),
  error: z.string().nullable(),
  /** `sched_reserve: CPU compute buffer size = X MiB` (2 decimals). */
  cpu_compute_mib: z.number().nonnegative().nullable(),
  cpu_output_mib: z.number().nonnegative().nullable(),
  kv_mib: z.number().nonnegative().nullable(),
  rs_mib: z.number().nonnegative().nullable(),
  graph: z.string().nullable(),
});

export const ComputeFixtureSchema = z.object({
  geometry: z.string(),
  generated_by: z.string(),
  command: z.string(),
  llama_cpp: z.object({ repo: z.string(), commit: z.string().regex(/^[0-9a-f]{40}$/), build: z.string() }),
  preset: z.string(),
  builder: z.string(),
  note: z.string(),
  options: z.record(z.string(), z.unknown()),
  arch: z.string(),
  file_size: z.number().int().positive(),
  /** GGUF metadata as typed values; vocabulary arrays reduced to their length. */
  metadata: z.record(z.string(), z.unknown()),
  cases: z.array(ComputeFixtureCaseSchema),
});

export type ComputeFixture = z.infer<typeof ComputeFixtureSchema>;
