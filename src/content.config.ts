/**
 * The content layer: MDX reports from content/reports and every JSON folder of the data directory
 * (./data, or CC_DATA_DIR — see src/content-layer/data-dir.ts), each validated by the same zod
 * schema the scripts use. A malformed file fails the build with the file and the field named.
 *
 * Foreign keys stay plain strings in the shared schemas (node scripts cannot import
 * `astro:content`); report frontmatter is upgraded to `reference()` here. The references of runs
 * and budgets, whose data other modules consume as typed by the shared schemas, are checked where
 * they are made or used: `npm run ingest` resolves a run's model and hardware presets
 * (scripts/ingest/index.ts), scripts/catalog/validate.ts a budget's hardware, and report
 * components fail the build on a missing id (src/views/reports/data.ts).
 */
import { defineCollection, reference } from "astro:content";
import { glob } from "astro/loaders";
import { z } from "zod";
import { dataPath } from "./content-layer/data-dir.ts";
import { jsonArrayLoader, jsonFilesLoader } from "./content-layer/json-loader.ts";
import { BudgetSchema } from "./schemas/budget.ts";
import { HardwareSchema } from "./schemas/hardware.ts";
import { ModelSchema } from "./schemas/model.ts";
import { KvCacheTypeSchema, WeightFtypeSchema } from "./schemas/quant.ts";
import { ReportSchema } from "./schemas/report.ts";
import { runFileIds } from "./content-layer/runs.ts";

const reports = defineCollection({
  loader: glob({ base: "./content/reports", pattern: "**/*.mdx" }),
  schema: ReportSchema.extend({
    runs: z.array(reference("runs")).default([]),
    models: z.array(reference("models")).default([]),
  }),
});

const models = defineCollection({
  loader: jsonFilesLoader(() => dataPath("models")),
  schema: ModelSchema,
});

// Ids only, for reference("runs"): the runs themselves are read and validated with RunSchema by
// src/content-layer/runs.ts. Through the data store every run was serialised into the build's
// bundle — with 10 000 runs ~60 s and gigabytes (npm run bench).
const runs = defineCollection({
  loader: {
    name: "cc-run-ids",
    load: async ({ store }) => {
      store.clear();
      for (const id of runFileIds()) store.set({ id, data: { id } });
    },
  },
  schema: z.object({ id: z.string() }),
});

const hardware = defineCollection({
  loader: jsonArrayLoader(() => dataPath("hardware"), { idField: "id" }),
  schema: HardwareSchema,
});

const budgets = defineCollection({
  loader: jsonFilesLoader(() => dataPath("budgets")),
  schema: BudgetSchema,
});

const kvTypes = defineCollection({
  loader: jsonArrayLoader(() => dataPath("quants"), { idField: "name", only: "kv-types.json" }),
  schema: KvCacheTypeSchema,
});

const weightFtypes = defineCollection({
  loader: jsonArrayLoader(() => dataPath("quants"), { idField: "id", only: "weight-ftypes.json" }),
  schema: WeightFtypeSchema,
});

export const collections = { reports, models, runs, hardware, budgets, kvTypes, weightFtypes };
