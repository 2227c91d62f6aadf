import { defineCollection } from "astro:content";
import { glob } from "astro/loaders";
import { ReportSchema } from "./schemas/report.ts";

const reports = defineCollection({
  loader: glob({ base: "./content/reports", pattern: "**/*.mdx" }),
  schema: ReportSchema,
});

export const collections = { reports };
