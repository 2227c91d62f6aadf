/**
 * The context-independent half of the view for the last few configurations, so going back to one
 * (a K type tried and undone, back/forward) costs nothing: the same StaticView object comes back,
 * and with it the chart the panel has already drawn. Entries are valid while the inputs besides
 * the state (engine, catalog, loaded model, user runs, projector) are the same objects.
 */
import type { StaticView, Resolved } from "../../lib/calculator/view.ts";

export interface StaticResult {
  view: StaticView;
  resolved: Resolved | null;
}

const SIZE = 16;

export class StaticLru {
  private readonly map = new Map<string, StaticResult>();
  private inputs: readonly unknown[] = [];

  /** The result for `key` with these inputs, computed by `make` when not held. */
  get(key: string, inputs: readonly unknown[], make: () => StaticResult): StaticResult {
    if (inputs.length !== this.inputs.length || inputs.some((x, i) => x !== this.inputs[i])) {
      this.map.clear();
      this.inputs = inputs;
    }
    const hit = this.map.get(key);
    if (hit) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const r = make();
    this.map.set(key, r);
    if (this.map.size > SIZE) this.map.delete(this.map.keys().next().value!);
    return r;
  }
}
