/**
 * The reduced measured runs that may match a model of one architecture (groupRunsByArch): loaded
 * by the calculator island for the current model's arch, so catalog.json stays small however many
 * runs are ingested. Only keys with runs get a file (catalog.json's `runKeys`).
 */
import type { APIRoute, GetStaticPaths } from "astro";
import { loadCalcCatalog } from "../../../views/calculator/catalog.ts";
import { groupRunsByArch, type MeasuredRunOption } from "../../../lib/calculator/catalog.ts";

export const getStaticPaths = (async () => {
  const c = await loadCalcCatalog();
  return [...groupRunsByArch(c.runs, c.models)].map(([key, runs]) => ({ params: { key }, props: { runs } }));
}) satisfies GetStaticPaths;

export const GET: APIRoute = ({ props }) =>
  new Response(JSON.stringify((props as { runs: MeasuredRunOption[] }).runs), {
    headers: { "Content-Type": "application/json" },
  });
