/**
 * One-off (re-runnable) converter: a table of models' Hugging Face config values (a JSON file with
 * `models` and `ollama_tags`, plus a Markdown table repeating the hand-computed byte columns) →
 * data/models/<id>.json. The input tables are the project's development notes, not part of the
 * repository, so both paths are required arguments; nothing at build or test time runs this.
 *
 *   node scripts/catalog/convert-models.ts --from <models.json> --md <models.md> [--out data/models]
 *
 * The input holds Hugging Face config values; this maps them onto llama.cpp's GGUF semantics
 * (src/schemas/architecture.ts): arch names, block_count incl. kept MTP/NextN layers, MLA widths,
 * per-layer head_count_kv arrays of hybrids, recurrent dims. Which GGUF a converter writes is
 * decided from llama.cpp de3ff81's convert_hf_to_gguf.py / conversion/*.py (see ARCH and MTP_KEPT).
 * The hand-computed `llamacpp` figures are copied into `reference` after checking that the
 * Markdown table agrees, for the catalog test to compare the engine with. Sources are written as
 * links a reader can open: the model's own config.json on Hugging Face first, then the public
 * copies the values were read or corroborated from (`status` says which).
 *
 * Nothing is written unless every preset validates. Exit 0 ok, 1 bad input, 2 usage.
 * The conversion lives in convert/ (convert.ts, architecture.ts, the tag and extra-variant tables).
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { format, resolveConfig } from "prettier";
import { ModelSchema, type ModelInput } from "../../src/schemas/model.ts";
import { issueSummary } from "../../src/lib/zod-issues.ts";
import { convert } from "./convert/convert.ts";

const USAGE = "usage: node scripts/catalog/convert-models.ts --from <models.json> --md <models.md> [--out data/models]";

async function main(argv: string[]): Promise<number> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const k = argv[i];
    if (!["--from", "--md", "--out"].includes(k) || argv[i + 1] === undefined) {
      console.error(`${USAGE} (bad argument "${k}")`);
      return 2;
    }
    args.set(k, argv[i + 1]);
  }
  const fromArg = args.get("--from");
  const mdArg = args.get("--md");
  if (fromArg === undefined || mdArg === undefined) {
    console.error(`${USAGE} (--from and --md are required)`);
    return 2;
  }
  const from = resolve(fromArg);
  const mdPath = resolve(mdArg);
  const outDir = resolve(args.get("--out") ?? "data/models");
  let models: ModelInput[];
  let unmapped: string[];
  try {
    ({ models, unmapped } = convert(readFileSync(from, "utf8"), readFileSync(mdPath, "utf8")));
  } catch (e) {
    console.error(`convert-models: ${(e as Error).message}`);
    return 1;
  }
  const ids = new Set<string>();
  for (const m of models) {
    const r = ModelSchema.safeParse(m);
    if (!r.success) {
      console.error(`convert-models: ${m.id}: ${issueSummary(r.error.issues, { input: m })}`);
      return 1;
    }
    if (ids.has(m.id)) {
      console.error(`convert-models: duplicate id ${m.id}`);
      return 1;
    }
    ids.add(m.id);
  }
  // Write into a fresh sibling directory, then swap, so a failure leaves data/models untouched.
  const tmp = `${outDir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  // Formatted as the repository's prettier config wants, so `npm run format:check` passes.
  for (const m of models) {
    const file = join(tmp, `${m.id}.json`);
    const options = { ...(await resolveConfig(join(outDir, `${m.id}.json`))), parser: "json" };
    writeFileSync(file, await format(JSON.stringify(m, null, 2), options));
  }
  rmSync(outDir, { recursive: true, force: true });
  renameSync(tmp, outDir);
  console.log(`convert-models: wrote ${models.length} presets to ${outDir} (${readdirSync(outDir).length} files)`);
  if (unmapped.length) console.log(`convert-models: tag rows without a preset: ${unmapped.join("; ")}`);
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
