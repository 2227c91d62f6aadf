/**
 * The /models table recomputed in the page (pure; loaded lazily with the engine on the first
 * interaction so the initial script stays small): each row's largest context for a machine's
 * budget at a K/V type, with the preset's default weights and the table's settings, "weights don't
 * fit" where the weights alone exceed the budget, and its link into the calculator.
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { RuntimeConfig } from "../../schemas/runtime-config.ts";
import { RuntimeConfigSchema } from "../../schemas/runtime-config.ts";
import { withServerOutputs } from "../engine/server-outputs.ts";
import { computeWeights } from "../engine/runtime-weights.ts";
import { EngineError } from "../engine/errors.ts";
import { defaultPool, type Budget } from "../engine/solve.ts";
import { formatContext } from "../format.ts";
import { calculatorQuery, type LinkMachine } from "./calc-link.ts";
import { describeBeyond, largestContext, limitWords } from "./largest-context.ts";

export interface KvRowInput {
  readonly id: string;
  readonly architecture: Architecture;
  /** Trained context as the static table takes it (context_length, else the card's native context). */
  readonly trainedCtx: number | null;
  /** The preset's default weights (defaultWeightVariant). */
  readonly ftype: string;
}

export interface KvRowResult {
  readonly id: string;
  /** null: not even the smallest context fits (or the engine refuses: see `refusal`). */
  readonly nCtx: number | null;
  /** "12,288 (12K)", "does not fit", "weights don't fit", or "cannot compute" (see refusal). */
  readonly answer: string;
  readonly limitedBy: string | null;
  readonly beyond: string | null;
  readonly refusal: string | null;
  /** Query string of the row's calculator link (no leading `?`). */
  readonly query: string;
}

export interface RowsContext {
  /** The solver's budget for the machine. */
  readonly budget: Budget;
  /** The machine the calculator links carry (its backend sizes the buffers). */
  readonly machine: LinkMachine;
}

/** The weights alone exceed the budget's pool (or the working set): "weights don't fit". */
function weightsOver(arch: Architecture, cfg: RuntimeConfig, budget: Budget): boolean {
  const w = computeWeights(arch, cfg, {}).w;
  const pool = budget.pool ?? defaultPool(cfg);
  const onDevice = w.per_device.filter((d) => !d.host).reduce((s, d) => s + d.bytes, 0);
  const all = w.per_device.reduce((s, d) => s + d.bytes, 0);
  const bytes = pool === "device" ? onDevice : pool === "host" ? all - onDevice : all;
  return bytes > budget.bytes || (budget.device_limit_bytes !== undefined && onDevice > budget.device_limit_bytes);
}

function rowAt(row: KvRowInput, kv: string, x: RowsContext): KvRowResult {
  const query = calculatorQuery(row.id, x.machine, row.ftype, kv);
  const pool = x.budget.pool ?? "total";
  const none = { id: row.id, nCtx: null, limitedBy: null, beyond: null, query };
  try {
    // as llama-server runs it, like the CLI and calculator (docs/memory-model.md#server-outputs)
    const cfg = withServerOutputs(
      RuntimeConfigSchema.parse({
        weights_ftype: row.ftype,
        backend: x.machine.backend,
        type_k: kv,
        type_v: kv,
        flash_attn: "on",
      }),
    );
    const r = largestContext(row.architecture, cfg, x.budget, { trainedCtx: row.trainedCtx });
    if (r.nCtx === null) {
      const answer = weightsOver(row.architecture, cfg, x.budget) ? "weights don't fit" : "does not fit";
      return { ...none, answer, refusal: null };
    }
    return {
      id: row.id,
      nCtx: r.nCtx,
      answer: formatContext(r.nCtx),
      limitedBy: `limited by ${limitWords(r.limitedBy, pool)}`,
      beyond: r.beyond ? describeBeyond(r.beyond, pool) : null,
      refusal: null,
      query,
    };
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    return { ...none, answer: "cannot compute", refusal: e.message };
  }
}

/** Every row's largest context at K/V type `kv` (both K and V) on a machine. */
export function tableRowsAt(rows: readonly KvRowInput[], kv: string, x: RowsContext): KvRowResult[] {
  return rows.map((r) => rowAt(r, kv, x));
}
