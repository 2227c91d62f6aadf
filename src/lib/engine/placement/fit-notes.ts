import type { Placement } from "../../../schemas/placement.ts";
import { mib } from "../../format.ts";
import { MiB } from "../../units.ts";
import { orderDevices, type PlacedDev } from "./devices.ts";
import { projectorDevice, type PlacementExtras } from "./extras.ts";

/**
 * Where llama.cpp's own `--fit` (llama.cpp de3ff81) would treat a projector or a draft model
 * differently from the engine's fit solver, which places both in every trial
 * (docs/memory-model.md#fit-extras):
 *
 * - Projector: only llama-server counts it. tools/server/server-context.cpp asks
 *   `mtmd_get_memory_usage` for the projector's bytes per device (weights + encoder compute) and
 *   adds them to `fit_params_target[i]`, where i is the device's index in the backend REGISTRY
 *   (`ggml_backend_dev_get`: local GPUs, then the CPU, then the RPC servers `--rpc` appended),
 *   while common/fit.cpp reads the margins by the MODEL's device index (RPC servers first,
 *   src/llama.cpp). With local GPUs only the two agree; with RPC servers the extra room is kept
 *   on another device (or none) and the projector's device can be overfilled by its size.
 *   llama-cli and llama-mtmd-cli fit before the projector is loaded (mtmd-cli.cpp builds the
 *   model with `common_init_from_params`, then the projector): it is not counted at all.
 * - Draft: `common_init_result` (common/common.cpp) fits it with the model as a
 *   `common_fit_extra_model` (common/fit.cpp adds its per-device memory to every trial), but
 *   measures it with the split the user gave (none: by free memory), not the one the fit picks;
 *   at run time the draft copies the picked -ts (common/speculative.cpp
 *   `common_base_params_to_speculative`). The engine places it with each trial's split.
 * - llama-fit-params passes no extra model and has no --mmproj / -md options: it fits the model alone.
 */
export function llamaFitNotes(placement: Placement, extras: PlacementExtras | null | undefined): string[] {
  if (!extras) return [];
  const out: string[] = [];
  const p = extras.projector;
  if (p?.offload) {
    const devs = orderDevices(placement);
    const at = projectorDevice(devs);
    if (at !== null) out.push(projectorNote(devs, at, p.weights_bytes + p.compute_bytes));
  }
  if (extras.draft)
    out.push(
      "llama-server's and llama-cli's --fit count the draft model too, measured with the split you gave (none: by free memory) rather than the one it picks; the draft then follows the picked -ts, which is what these bytes place. llama-fit-params cannot be given a draft (no -md option).",
    );
  return out;
}

/** Which device llama-server's extra --fit-target lands on for a projector on devs[at]. */
function projectorNote(devs: readonly PlacedDev[], at: number, bytes: number): string {
  const dev = devs[at];
  const size = mib(Math.ceil(bytes / MiB) * MiB, 0);
  // registry order: local GPUs (the projector takes the first, index 0), the CPU, then the RPC
  // servers (with no local GPU the projector takes the first of them, index 1: after the CPU)
  const registryIndex = dev.device.kind === "rpc" ? 1 : 0;
  const margined = registryIndex < devs.length ? devs[registryIndex] : null;
  const cli = `llama-cli and llama-mtmd-cli fit the model before loading the projector (not counted): they can leave ${dev.buft} ${size} short — give them these flags, or --fit-target with ${dev.buft}'s share raised by ${size}.`;
  if (margined === dev)
    return `llama-server's --fit counts the projector (${size} on ${dev.buft}) as extra --fit-target on that device, as this answer does. ${cli}`;
  const where = margined ? `on ${margined.buft} instead` : "on no device of the model";
  return `llama-server's --fit adds the projector's ${size} to the --fit-target of the device at ${dev.buft}'s place in the backend registry (local GPUs, the CPU, then RPC servers), but reads the targets in the model's order (RPC servers first): the room is kept ${where}, so its own choice can overfill ${dev.buft} by up to ${size}. ${cli}`;
}
