/**
 * From the calculator's state to the engine's runtime configuration, and the key of the state's
 * context-independent part (what ./static.ts computes).
 */
import type { KvType } from "../../../schemas/kv-type.ts";
import type { RuntimeConfig } from "../../../schemas/runtime-config.ts";
import type { CalcState } from "../state.ts";
import { serverOutputsMax } from "../../engine/server-outputs.ts";

/** The knobs of the state that change what computeStatic returns (everything but ctx and view). */
export function staticKey(s: CalcState): string {
  const { ctx: _c, view: _v, ...rest } = s;
  return JSON.stringify(rest);
}

export function configFor(
  state: CalcState,
  typeK: KvType,
  typeV: KvType,
  ctx: number,
  exactWeights: boolean,
  vision = false,
): RuntimeConfig {
  const engine = { name: state.engine, revision: state.revision } as RuntimeConfig["engine"];
  // llama-server reserves its graphs for n_parallel outputs (docs/memory-model.md#server-outputs)
  const outputs = serverOutputsMax({ engine, n_seq: state.nSeq, n_batch: 2048 });
  return {
    n_ctx: ctx,
    type_k: typeK,
    type_v: typeV,
    n_seq: state.nSeq,
    kv_unified: state.unified,
    swa_full: state.swaFull,
    flash_attn: state.flashAttn,
    n_ubatch: state.nUbatch,
    n_batch: 2048,
    n_gpu_layers: state.nGpuLayers,
    no_kv_offload: false,
    backend: state.backend,
    engine,
    n_rs_seq: 0,
    weights_ftype: exactWeights ? null : state.ftype,
    vision_weights: vision,
    ...(outputs === undefined ? {} : { n_outputs_max: outputs }),
  };
}

/** The engine in words, for the K/V options' reasons. */
export function engineName(e: string): string {
  return e === "turboquant" ? "the TurboQuant fork" : e === "ollama" ? "Ollama" : "llama.cpp";
}

export function errMsg(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
