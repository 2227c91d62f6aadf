/**
 * The placement part of the commands (./commands.ts) for a PC (`pc=`): llama-server's
 * `-sm`, `-mg`, `-ts`, `--cpu-moe` / `--n-cpu-moe`, `--rpc` and the load mode, and what Ollama can
 * say of it — only `num_gpu` (= -ngl); the rest it cannot express (it chooses the split itself).
 */
import { parseMachine, type MachineSpec } from "./placement-machine.ts";
import type { CalcState } from "./state.ts";

/** The state's PC, or null for one device (no `pc=`, or text that does not parse). */
export function machineOf(state: CalcState): MachineSpec | null {
  if (state.machine === "") return null;
  const r = parseMachine(state.machine, "any");
  return r.ok ? r.spec : null;
}

/** llama-server arguments for the machine (after -ngl), and notes. */
export function placementArgs(state: CalcState): { args: string[]; notes: string[] } {
  const m = machineOf(state);
  if (!m) return { args: [], notes: [] };
  const args: string[] = [];
  const notes: string[] = [];
  if (m.rpc.length) {
    args.push("--rpc", m.rpc.map((r) => r.endpoint).join(","));
    notes.push("--rpc: start rpc-server on each machine first; llama.cpp puts RPC devices before the local GPUs.");
  }
  if (m.splitMode !== "layer") args.push("-sm", m.splitMode);
  if (m.mainGpu !== 0) args.push("-mg", String(m.mainGpu));
  if (m.tensorSplit.length) args.push("-ts", m.tensorSplit.join(","));
  // -ot before --cpu-moe / --n-cpu-moe: llama.cpp appends their patterns after the explicit ones
  for (const o of m.overrides) args.push("-ot", `'${`${o.pattern}=${o.buft}`.replace(/'/g, `'\\''`)}'`);
  if (m.moe === "all") args.push("--cpu-moe");
  else if (typeof m.moe === "number") args.push("--n-cpu-moe", String(m.moe));
  if (m.noKvOffload) args.push("-nkvo");
  if (m.gpus.some((g) => g.kind === "vulkan" || g.kind === "metal"))
    notes.push(`Needs a llama.cpp build with the ${[...new Set(m.gpus.map((g) => g.kind))].join(" + ")} backend(s).`);
  if (!m.mmap) {
    const current = (state.engine === "llama.cpp" && state.revision === "current") || state.engine === "ollama";
    args.push(...(current ? ["--load-mode", "none"] : ["--no-mmap"]));
    if (!current) notes.push("Older builds spell the load mode --no-mmap (llama.cpp de3ff81: --load-mode none).");
  }
  return { args, notes };
}

/** Why Ollama cannot run the machine's placement as set (empty = it can, through num_gpu alone). */
export function ollamaPlacementGaps(state: CalcState): string[] {
  const m = machineOf(state);
  if (!m) return [];
  const out: string[] = [];
  if (m.rpc.length) out.push("Ollama cannot express --rpc (remote machines).");
  if (m.tensorSplit.length) out.push(`Ollama cannot express -ts ${m.tensorSplit.join(",")}: it splits layers itself.`);
  if (m.splitMode !== "layer" || m.mainGpu !== 0)
    out.push("Ollama cannot express -sm / -mg (pick GPUs with CUDA_VISIBLE_DEVICES instead).");
  if (m.moe !== "none") out.push("Ollama cannot express --cpu-moe / --n-cpu-moe.");
  if (m.overrides.length) out.push("Ollama cannot express tensor overrides (-ot).");
  if (m.noKvOffload) out.push("Ollama cannot express --no-kv-offload.");
  if (!m.mmap) out.push("This command does not set the load mode for Ollama (its use_mmap option is not mapped here).");
  return out;
}
