/**
 * The K and V type pickers' options: every catalog KV type, disabled with the reason where the
 * engine refuses it (not accepted by this engine, Ollama's one type for both, or a configuration
 * the engine rejects for this model).
 */
import type { Architecture } from "../../../schemas/architecture.ts";
import type { KvType } from "../../../schemas/kv-type.ts";
import type { TensorTable } from "../../../schemas/tensor-table.ts";
import type { KvTypeOption } from "../catalog.ts";
import { accepts } from "../normalize.ts";
import { configError } from "../static-cache.ts";
import type { CalcState } from "../state.ts";
import { configFor, engineName } from "./config.ts";
import type { TypeOption } from "./types.ts";

export interface KvOptionsInput {
  state: CalcState;
  kvTypes: readonly KvTypeOption[];
  arch: Architecture;
  opts: { tensors: TensorTable | null; tensors_ftype: string | null };
  exact: boolean;
  vis: boolean;
}

/** Options of the K (`which` = "k") or V picker. */
export function kvOptions(inp: KvOptionsInput, which: "k" | "v"): TypeOption[] {
  const { state, kvTypes, arch, opts, exact, vis } = inp;
  const tryConfig = (k: KvType, v: KvType): string | null =>
    configError(arch, configFor(state, k, v, 1024, exact, vis), opts);
  return kvTypes.map((t) => {
    let disabled: string | null = null;
    if (!accepts(kvTypes, state.engine, t.name))
      disabled = t.name.startsWith("turbo")
        ? `needs the TurboQuant fork (${engineName(state.engine)} rejects it)`
        : `${engineName(state.engine)} does not accept ${t.name}`;
    else if (state.engine === "ollama" && which === "v" && t.name !== state.typeK)
      disabled = "Ollama uses one type for K and V: pick it as the K type";
    else {
      const k = which === "k" ? t.name : state.typeK;
      const v = which === "v" ? t.name : state.engine === "ollama" ? t.name : state.typeV;
      disabled = tryConfig(k as KvType, v as KvType);
    }
    return { name: t.name, bitsPerValue: t.bitsPerValue, disabled };
  });
}
