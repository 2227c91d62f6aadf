/**
 * Whether the long option lists are in (src/views/calculator/options-html.ts): false on the
 * server and while hydrating, true from the task after the first live answer has been painted (or
 * the engine has failed to load: the controls then still list every choice).
 */
import { useEffect, useState } from "preact/hooks";

export function useListsIn(answered: boolean): boolean {
  const [lists, setLists] = useState(false);
  useEffect(() => {
    if (!answered || lists) return;
    // useEffect runs once the answer's commit is painted; the lists follow in a task of their own
    const t = setTimeout(() => setLists(true), 0);
    return () => clearTimeout(t);
  }, [answered, lists]);
  return lists;
}
