/**
 * The calculator's full reduced catalog (models with architectures, KV types, ftypes, hardware,
 * budgets, measured runs), fetched lazily by the island after its first paint.
 */
import type { APIRoute } from "astro";
import { loadCalcCatalog } from "../../components/calculator/catalog.ts";

export const GET: APIRoute = async () =>
  new Response(JSON.stringify(await loadCalcCatalog()), { headers: { "Content-Type": "application/json" } });
