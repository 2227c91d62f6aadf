/** /runs/<id>/run.json: the run's JSON exactly as data/runs/<id>.json holds it. */
import { readFileSync } from "node:fs";
import type { APIRoute, GetStaticPaths } from "astro";
import { getCollection } from "astro:content";
import { dataPath } from "../../../content-layer/data-dir.ts";

export const getStaticPaths: GetStaticPaths = async () =>
  (await getCollection("runs")).map((r) => ({
    params: { id: r.id },
    props: { abs: dataPath("runs", `${r.id}.json`) },
  }));

export const GET: APIRoute = ({ props }) =>
  new Response(readFileSync((props as { abs: string }).abs), {
    headers: { "Content-Type": "application/json; charset=utf-8" },
  });
