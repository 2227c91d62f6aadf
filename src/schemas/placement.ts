import { z } from "zod";

/**
 * Where a model's memory goes on a machine with several devices: the inputs of llama.cpp's
 * loader (`llama_model_base::load_tensors` in src/llama-model.cpp, llama.cpp de3ff81) and of the
 * common flags that feed it (common/arg.cpp): `-ngl` (RuntimeConfig.n_gpu_layers), `-sm`, `-ts`,
 * `-mg`, `-ot`, `--cpu-moe`, `--n-cpu-moe`, `--load-mode`, `--no-kv-offload`
 * (RuntimeConfig.no_kv_offload).
 */

/** Largest size accepted anywhere (1 PiB): bounds what strangers can make the engine compute with. */
const MAX_BYTES = 2 ** 50;
const size = z.number().int().nonnegative().max(MAX_BYTES);

/** Device kinds; `rpc` is a remote machine's device reached through `--rpc host:port`. */
export const DeviceKindSchema = z.enum(["cuda", "rocm", "vulkan", "metal", "rpc"]);
export type DeviceKind = z.infer<typeof DeviceKindSchema>;

export const DeviceSchema = z.strictObject({
  kind: DeviceKindSchema,
  /** Display name (the card's model); buffer names follow llama.cpp (`CUDA0`, `RPC0[host:port]`). */
  name: z.string().min(1).max(80),
  /** Total memory of the device. */
  memory_bytes: size,
  /** Free memory as the device reports it (the default layer split is proportional to it). */
  free_bytes: size.optional(),
  /** `host:port` of an RPC server (kind rpc only). */
  endpoint: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,253}:\d{1,5}$/, "expected host:port")
    .optional(),
});
export type Device = z.infer<typeof DeviceSchema>;

/** One `-ot <regex>=<buffer type>`; the first pattern that matches a tensor name wins. */
export const TensorOverrideSchema = z.strictObject({
  pattern: z.string().min(1).max(256),
  buft: z.string().min(1).max(300),
});
export type TensorOverride = z.infer<typeof TensorOverrideSchema>;

/** `--load-mode` (this revision's spelling; older builds: `--no-mmap`, `--mlock`). */
export const LoadModeSchema = z.enum(["mmap", "none", "mlock", "mmap+mlock"]);
export type LoadMode = z.infer<typeof LoadModeSchema>;

export const PlacementSchema = z.strictObject({
  /** Accelerators in the order given; llama.cpp moves RPC devices to the front. */
  devices: z.array(DeviceSchema).max(16).default([]),
  /** System RAM of the machine running llama.cpp (null = not limited). */
  host_bytes: size.nullable().default(null),
  /** `-sm none|layer|row`. */
  split_mode: z.enum(["none", "layer", "row"]).default("layer"),
  /** `-ts a,b,…`: proportions per device; empty = proportional to free memory. */
  tensor_split: z.array(z.number().finite().nonnegative().max(1e6)).max(16).default([]),
  /** `-mg i`: the device kept by `-sm none`. */
  main_gpu: z.number().int().nonnegative().max(15).default(0),
  /** `-ot`, in command-line order, before `--cpu-moe` / `--n-cpu-moe` patterns. */
  overrides: z.array(TensorOverrideSchema).max(64).default([]),
  /** `--cpu-moe`: every expert tensor on the host. */
  cpu_moe: z.boolean().default(false),
  /** `--n-cpu-moe N`: expert tensors of blocks 0 … N−1 on the host. */
  n_cpu_moe: z.number().int().nonnegative().max(4096).default(0),
  /** `--load-mode`; `none` = read into buffers (pinned host memory when a GPU offers it). */
  load_mode: LoadModeSchema.default("mmap"),
  /**
   * Unified memory (Apple Silicon): `host_bytes` is the memory the host and the devices share, so
   * the host's check counts every device's bytes too; each device's `memory_bytes` is then its own
   * limit within it (Metal's working set). Absent = separate memories (docs/memory-model.md#placement-unified).
   */
  unified: z.boolean().optional(),
});
export type Placement = z.infer<typeof PlacementSchema>;
export type PlacementInput = z.input<typeof PlacementSchema>;

/** One buffer llama.cpp would print, named as llama.cpp names it. */
export const PlacedBufferSchema = z.strictObject({
  name: z.string(),
  kind: z.enum(["weights", "kv", "recurrent", "output", "compute", "overhead"]),
  pool: z.enum(["device", "host"]),
  /** Device (or `host` / the RPC machine's host) whose memory holds it. */
  device: z.string(),
  bytes: z.number().int().nonnegative(),
  /** Memory really touched when it differs from the buffer size (mmap'd host weights). */
  touched_bytes: z.number().int().nonnegative().optional(),
  estimate: z.boolean(),
});
export type PlacedBuffer = z.infer<typeof PlacedBufferSchema>;

export const PlacedDeviceSchema = z.strictObject({
  name: z.string(),
  pool: z.enum(["device", "host"]),
  /** `local` or the RPC endpoint of the machine it belongs to. */
  machine: z.string(),
  bytes: z.number().int().nonnegative(),
  budget_bytes: z.number().int().nonnegative().optional(),
  free_bytes: z.number().int().nonnegative().optional(),
  /** Layers (blocks; the output layer is `n_layer`) assigned to it. */
  layers: z.array(z.number().int().nonnegative()),
});
export type PlacedDevice = z.infer<typeof PlacedDeviceSchema>;
