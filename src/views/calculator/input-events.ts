/**
 * Typed handlers for the calculator's native form controls: read the value, the checkbox state, the
 * first picked file or a number from the element the handler is attached to (`currentTarget`,
 * which Preact types by element), so no component casts `e.target`. A value outside a select's
 * known options is ignored (the options come from the same list).
 */
import type { JSX } from "preact";

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
type Handler<E extends EventTarget> = (e: JSX.TargetedEvent<E, Event>) => void;

/** The control's text value. */
export function onValue<E extends Field>(set: (v: string) => void): Handler<E> {
  return (e) => set(e.currentTarget.value);
}

/** One of `options` (the select's own list, typed): anything else is ignored. */
export function onPick<T extends string>(options: readonly T[], set: (v: T) => void): Handler<HTMLSelectElement> {
  return (e) => {
    const v = options.find((o) => o === e.currentTarget.value);
    if (v !== undefined) set(v);
  };
}

/** A checkbox's state. */
export function onChecked(set: (c: boolean) => void): Handler<HTMLInputElement> {
  return (e) => set(e.currentTarget.checked);
}

/** The first file picked (none: nothing happens). */
export function onFile(set: (f: File) => void): Handler<HTMLInputElement> {
  return (e) => {
    const f = e.currentTarget.files?.[0];
    if (f) set(f);
  };
}

/** An integer within [min, max] (anything else is ignored, the field keeps what was typed). */
export function onInteger(min: number, max: number, set: (n: number) => void): Handler<HTMLInputElement> {
  return (e) => {
    const v = Number(e.currentTarget.value);
    if (Number.isInteger(v) && v >= min && v <= max) set(v);
  };
}
