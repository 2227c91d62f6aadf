/**
 * The /models table at another K/V type (pure; the page loads it lazily on the first K/V change so
 * its initial script stays small): each row's largest context for the page's machine and budget,
 * with the preset's default weights and the table's settings, and its link into the calculator.
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { Backend } from "../../schemas/runtime-config.ts";
import { RuntimeConfigSchema } from "../../schemas/runtime-config.ts";
import { EngineError } from "../engine/index.ts";
import { formatContext } from "../format.ts";
import { calculatorQuery } from "./calc-link.ts";
import type { BudgetChoice } from "./choices.ts";
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
  /** "12,288 (12K)", "does not fit", or the refusal's words. */
  readonly answer: string;
  readonly limitedBy: string | null;
  readonly beyond: string | null;
  readonly refusal: string | null;
  /** Query string of the row's calculator link (no leading `?`). */
  readonly query: string;
}

export interface KvTableInput {
  readonly rows: readonly KvRowInput[];
  readonly budget: { bytes: number; pool?: "device" | "total" | "host"; device_limit_bytes?: number };
  readonly choice: BudgetChoice;
  readonly hardwareId: string | null;
}

function rowAt(row: KvRowInput, kv: string, t: KvTableInput, backend: Backend): KvRowResult {
  const query = calculatorQuery(row.id, t.choice, t.hardwareId, row.ftype, kv);
  const pool = t.budget.pool ?? "total";
  try {
    const cfg = RuntimeConfigSchema.parse({
      weights_ftype: row.ftype,
      backend,
      type_k: kv,
      type_v: kv,
      flash_attn: "on",
    });
    const r = largestContext(row.architecture, cfg, t.budget, { trainedCtx: row.trainedCtx });
    if (r.nCtx === null)
      return { id: row.id, nCtx: null, answer: "does not fit", limitedBy: null, beyond: null, refusal: null, query };
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
    return {
      id: row.id,
      nCtx: null,
      answer: "cannot compute",
      limitedBy: null,
      beyond: null,
      refusal: e.message,
      query,
    };
  }
}

/** Every row's largest context at K/V type `kv` (both K and V). */
export function tableAtKv(t: KvTableInput, kv: string): KvRowResult[] {
  return t.rows.map((r) => rowAt(r, kv, t, t.choice.backend));
}
