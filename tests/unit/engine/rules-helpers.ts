/** Shared pieces of the engine rule tests (rules*.test.ts): Qwen3-14B and the EngineError check. */
import assert from "node:assert/strict";
import { EngineError } from "../../../src/lib/engine/index.ts";
import type { RuntimeConfigInput } from "../../../src/schemas/runtime-config.ts";
import { fixture } from "../../helpers/engine.ts";

export const qwen = fixture("qwen3-14b");
export const PER_CELL_F16 = 40 * 1024 * 2 * 2; // 40 layers × (8 × 128) × (K + V) × 2 B = 163,840
export const turbo = (c: RuntimeConfigInput): RuntimeConfigInput => ({ ...c, engine: { name: "turboquant" } });

export function throwsEngine(fn: () => unknown, code: string, field?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof EngineError, `expected EngineError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (field !== undefined) assert.equal(e.field, field);
    return true;
  });
}
