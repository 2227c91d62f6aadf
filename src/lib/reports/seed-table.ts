/**
 * The seed report's table — context | calculated f16 KV | measured f16 KV | calculated turbo4 |
 * measured turbo4 | delta — as pure data, from a run and the engine. A context the run did not
 * measure has `measured: null` (shown as "not measured", never blank).
 */
import type { Architecture } from "../../schemas/architecture.ts";
import type { KvType } from "../../schemas/kv-type.ts";
import { RuntimeConfigSchema } from "../../schemas/runtime-config.ts";
import type { EngineProfile } from "../../schemas/runtime-config.ts";
import type { Run } from "../../schemas/run.ts";
import { computeBreakdown } from "../engine/index.ts";
import { kvPair } from "../runs/run-summary.ts";
import { deltaPct } from "../format.ts";

export interface SeedCell {
  pair: string;
  calculated: number | null;
  measured: number | null;
  /** (measured − calculated) / calculated × 100, null without both. */
  delta: number | null;
  error: string | null;
}

export interface SeedRow {
  ctx: number;
  cells: SeedCell[];
}

/** Measured KV bytes of the run's point at (ctx, pair); the requested context decides. */
export function measuredKv(run: Run, ctx: number, pair: string): number | null {
  const p = run.points.find((x) => x.status === "ok" && x.config.n_ctx === ctx && kvPair(x.config) === pair);
  return p?.measured.kv_bytes?.bytes ?? null;
}

export function seedRows(
  run: Run,
  arch: Architecture | { error: string },
  profile: EngineProfile,
  contexts: readonly number[],
  pairs: readonly string[],
): SeedRow[] {
  return contexts.map((ctx) => ({
    ctx,
    cells: pairs.map((pair) => {
      const [type_k, type_v] = pair.split("/") as [KvType, KvType];
      let calculated: number | null = null;
      let error: string | null = "error" in arch ? arch.error : null;
      if (!("error" in arch)) {
        try {
          const cfg = RuntimeConfigSchema.parse({
            n_ctx: ctx,
            type_k,
            type_v,
            engine: profile,
            backend: run.runtime.backend ?? "metal",
            flash_attn: "on",
          });
          calculated = computeBreakdown(arch, cfg).kv.bytes;
        } catch (e) {
          error = (e as Error).message;
        }
      }
      const measured = measuredKv(run, ctx, pair);
      const delta = measured !== null && calculated !== null ? deltaPct(measured, calculated) : null;
      return { pair, calculated, measured, delta, error };
    }),
  }));
}
