/**
 * /schema/<file>.json: every JSON file of data/schema (the run JSON Schema, the run-input schema,
 * documented examples) at a stable URL, byte for byte.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import type { APIRoute, GetStaticPaths } from "astro";
import { dataPath } from "../../content-layer/data-dir.ts";

export const getStaticPaths: GetStaticPaths = () => {
  const dir = dataPath("schema");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^[a-z0-9][a-z0-9._-]*\.json$/.test(f))
    .sort()
    .map((file) => ({ params: { file }, props: { abs: dataPath("schema", file) } }));
};

export const GET: APIRoute = ({ props }) =>
  new Response(readFileSync((props as { abs: string }).abs), {
    headers: { "Content-Type": "application/schema+json; charset=utf-8" },
  });
