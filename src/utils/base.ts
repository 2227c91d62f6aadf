import { joinBase } from "../lib/paths.ts";

/** The deploy base of this build (`/` or `/sub/`), from Astro's config. */
export const BASE_URL: string = import.meta.env.BASE_URL;

/** A site-internal URL with the deploy base in front: `withBase("/runs/")`. */
export function withBase(path: string): string {
  return joinBase(BASE_URL, path);
}
