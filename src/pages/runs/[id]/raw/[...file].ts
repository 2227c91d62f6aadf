/** /runs/<id>/raw/<path>: each raw file of a run, byte for byte as ingest stored it. */
import { readFileSync } from "node:fs";
import type { APIRoute, GetStaticPaths } from "astro";
import { getCollection } from "astro:content";
import { dataPath } from "../../../../content-layer/data-dir.ts";
import { isSafeRawPath } from "../../../../components/runs/raw-files.ts";

export const getStaticPaths: GetStaticPaths = async () => {
  const runs = await getCollection("runs");
  return runs.flatMap((r) =>
    r.data.provenance.raw_files.map((f) => {
      if (!isSafeRawPath(f.path))
        throw new Error(`data/runs/${r.id}.json: raw file path "${f.path}" leaves the run's folder`);
      return { params: { id: r.id, file: f.path }, props: { abs: dataPath("raw", r.id, f.path), gz: f.gzipped } };
    }),
  );
};

const TYPES: Record<string, string> = {
  json: "application/json",
  csv: "text/csv; charset=utf-8",
  gz: "application/gzip",
};

export const GET: APIRoute = ({ props }) => {
  const { abs } = props as { abs: string; gz: boolean };
  const ext = abs.split(".").pop()?.toLowerCase() ?? "";
  const body = readFileSync(abs);
  return new Response(body, { headers: { "Content-Type": TYPES[ext] ?? "text/plain; charset=utf-8" } });
};
