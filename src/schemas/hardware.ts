import { z } from "zod";

/**
 * Machines a user can pick (data/hardware/*.json, each file an array). Bytes internally; every
 * quantity keeps the string it was stated in, so a reader can check the conversion.
 *
 * Apple's "32GB" of unified memory is 32 GiB of DRAM; NVIDIA's and AMD's "24GB" of VRAM is 24 GiB
 * of chips. Bandwidth is decimal (GB/s = 10⁹ B/s) as vendors state it.
 */

const uint = z.number().int().nonnegative();
const slug = z.string().regex(/^[a-z0-9]+(?:[-.][a-z0-9]+)*$/, "expected a lower-case slug");

/** measured = read from a real log/tool on that configuration; estimated = rule or vendor nominal. */
export const ProvenanceKindSchema = z.enum(["measured", "estimated"]);
export type ProvenanceKind = z.infer<typeof ProvenanceKindSchema>;

/** One reading of Metal's `recommendedMaxWorkingSetSize` on a configuration. */
export const WorkingSetObservationSchema = z.strictObject({
  bytes: uint,
  /** Verbatim, e.g. "26800.60 MB" (llama.cpp prints MB = 10⁶ B; logs before 2025-09 printed MiB as "MB"). */
  statedAs: z.string().min(1),
  /** macOS version if the source names it. */
  macos: z.string().nullable(),
  /** Date of the observation (YYYY or YYYY-MM or YYYY-MM-DD) if known. */
  date: z.string().nullable(),
  source: z.string().min(1),
  note: z.string().nullable(),
});
export type WorkingSetObservation = z.infer<typeof WorkingSetObservationSchema>;

/**
 * Default Metal GPU working-set limit of an Apple configuration (docs/memory-model.md#metal-budget). `bytes` is
 * what the calculator uses: a measured value where one exists, else the estimate named in `rule`.
 */
export const MetalWorkingSetSchema = z.strictObject({
  bytes: uint,
  kind: ProvenanceKindSchema,
  /** For estimates: the rule applied, e.g. "2/3 of RAM (≤ 36 GB rule of thumb)". */
  rule: z.string().nullable(),
  source: z.string().min(1),
  observations: z.array(WorkingSetObservationSchema),
  note: z.string().nullable(),
});
export type MetalWorkingSet = z.infer<typeof MetalWorkingSetSchema>;

/** Memory a device exposes to a process after the driver's own reservation (CUDA `cudaMemGetInfo`). */
export const UsableMemorySchema = z.strictObject({
  /** nvidia-smi `memory.total`. */
  totalBytes: uint,
  /** nvidia-smi `memory.reserved` (driver reserve, never usable). */
  reservedBytes: uint,
  /** total − reserved, what CUDA reports as free on an idle card. */
  usableBytes: uint,
  kind: ProvenanceKindSchema,
  source: z.string().min(1),
  note: z.string().nullable(),
});
export type UsableMemory = z.infer<typeof UsableMemorySchema>;

export const HardwareSchema = z.strictObject({
  /** Slug: apple-m4-max-36gb, nvidia-rtx-4090, amd-mi300x. */
  id: slug,
  /** Display name: "Apple M4 Max (14-core CPU, 32-core GPU), 36 GB". */
  name: z.string().min(1),
  vendor: z.enum(["apple", "nvidia", "amd"]),
  /** unified = one memory pool for CPU and GPU (Apple); discrete = VRAM on the card. */
  memoryKind: z.enum(["unified", "discrete"]),
  /** Chip family for grouping: "M4", "M4 Max", "RTX 40", "Hopper", "RDNA 3", "CDNA 3". */
  family: z.string().min(1),
  /** Memory (unified RAM or VRAM) in bytes, nominal. */
  memoryBytes: uint,
  /** As the vendor states it: "36GB". */
  memoryStatedAs: z.string().min(1),
  /** LPDDR5X, GDDR6X, HBM3, … null if unknown. */
  memoryType: z.string().nullable(),
  /** Peak memory bandwidth in bytes/s; null if unknown. */
  bandwidthBytesPerSec: uint.nullable(),
  /** As the vendor states it: "546GB/s". */
  bandwidthStatedAs: z.string().nullable(),
  /** Year the configuration went on sale. */
  year: z.number().int().min(2010).max(2100).nullable(),
  /** Apple only: default Metal working-set limit; null for discrete cards. */
  metalWorkingSet: MetalWorkingSetSchema.nullable(),
  /**
   * Apple only: the sysctl that raises the GPU wired limit (`iogpu.wired_limit_mb`, MiB, not
   * persistent across reboot); null for discrete cards.
   */
  wiredLimitSysctl: z.literal("iogpu.wired_limit_mb").nullable(),
  /** Discrete only: measured or estimated usable VRAM after the driver reserve. */
  usableMemory: UsableMemorySchema.nullable(),
  sources: z.array(z.string().min(1)).min(1),
  notes: z.string().nullable(),
});
export type Hardware = z.infer<typeof HardwareSchema>;

/** One data/hardware/*.json file. */
export const HardwareFileSchema = z.array(HardwareSchema).min(1);
