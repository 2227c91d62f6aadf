/**
 * `memo` without preact/compat: a component that re-renders only when a prop changes
 * (shallow, by identity). Keeps a slider step from re-diffing the long select lists.
 */
import { Component, h, type FunctionComponent } from "preact";

export function memo<P extends object>(fn: FunctionComponent<P>): FunctionComponent<P> {
  class Memo extends Component<P> {
    shouldComponentUpdate(next: P): boolean {
      const a = this.props as Record<string, unknown>;
      const b = next as Record<string, unknown>;
      for (const k in b) if (a[k] !== b[k]) return true;
      for (const k in a) if (!(k in b)) return true;
      return false;
    }
    render(props: P) {
      return h(fn, props);
    }
  }
  (Memo as unknown as { displayName: string }).displayName = `memo(${fn.name})`;
  return Memo as unknown as FunctionComponent<P>;
}
