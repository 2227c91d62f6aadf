/**
 * The calculator's reduced catalog (models with architectures, KV types, ftypes, hardware,
 * budgets), fetched lazily by the island after its first paint. Measured runs are not in it: they
 * are served per architecture by runs/[key].json, and `runKeys` lists the files that exist.
 */
import type { APIRoute } from "astro";
import { loadCalcCatalog } from "../../views/calculator/catalog.ts";
import { catalogFile } from "../../lib/calculator/catalog.ts";

export const GET: APIRoute = async () =>
  new Response(JSON.stringify(catalogFile(await loadCalcCatalog())), {
    headers: { "Content-Type": "application/json" },
  });
