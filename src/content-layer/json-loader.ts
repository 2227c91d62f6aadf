/**
 * Content-layer loaders over the JSON folders of the data directory (see data-dir.ts). Unlike
 * Astro's `glob()` they read a directory that may live outside the project (CC_DATA_DIR), take
 * ids from the data rather than from slugified file names, and fail the build — naming the file
 * and, through the collection schema, the field — on malformed JSON, a duplicate id or an id that
 * does not match its file name. A missing directory is an empty collection, with a warning.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Loader, LoaderContext } from "astro/loaders";

export class DataFileError extends Error {}

type Json = Record<string, unknown>;

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new DataFileError(`${file}: cannot read (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DataFileError(`${file}: invalid JSON (${(e as Error).message})`);
  }
}

function jsonFiles(dir: string, only?: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && !f.startsWith(".") && (only === undefined || f === only))
    .sort()
    .map((f) => path.join(dir, f));
}

interface Item {
  id: string;
  data: Json;
  file: string;
  /** The file, and the array index for array files: what error messages name. */
  where: string;
}

async function store(ctx: LoaderContext, items: Item[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const it of items) {
    const prior = seen.get(it.id);
    if (prior) throw new DataFileError(`${it.where}: duplicate ${ctx.collection} id "${it.id}" (also in ${prior})`);
    seen.set(it.id, it.where);
  }
  ctx.store.clear();
  for (const it of items) {
    let data: Json;
    try {
      data = await ctx.parseData({ id: it.id, data: it.data, filePath: it.file });
    } catch (e) {
      throw new DataFileError(`${it.where}: ${(e as Error).message}`);
    }
    // The data store wants paths relative to the project root (posix), `../` allowed.
    const rel = path.relative(fileURLToPath(ctx.config.root), it.file).split(path.sep).join("/");
    ctx.store.set({ id: it.id, data, filePath: rel, digest: ctx.generateDigest(it.data) });
  }
}

/**
 * One entry per `<dir>/<id>.json`. The entry id is the file name without `.json`; when the object
 * has an `id` field it must equal that name.
 */
export function jsonFilesLoader(dir: () => string, options: { idField?: string } = {}): Loader {
  const idField = options.idField ?? "id";
  return {
    name: "cc-json-files",
    load: async (ctx) => {
      const root = dir();
      if (!existsSync(root)) ctx.logger.warn(`data directory ${root} does not exist: empty collection`);
      const items = jsonFiles(root).map((file) => {
        const data = readJson(file);
        if (data === null || typeof data !== "object" || Array.isArray(data))
          throw new DataFileError(`${file}: expected one JSON object`);
        const id = path.basename(file, ".json");
        const own = (data as Json)[idField];
        if (own !== undefined && own !== id)
          throw new DataFileError(`${file}: ${idField} "${String(own)}" does not match the file name "${id}.json"`);
        return { id, data: data as Json, file, where: file };
      });
      await store(ctx, items);
    },
  };
}

/**
 * Entries from JSON files that each hold an array (`data/hardware/*.json`); the id of an item is
 * its `idField`. `only` restricts the loader to one file name of the directory.
 */
export function jsonArrayLoader(dir: () => string, options: { idField: string; only?: string }): Loader {
  return {
    name: "cc-json-arrays",
    load: async (ctx) => {
      const root = dir();
      const files = jsonFiles(root, options.only);
      if (files.length === 0) ctx.logger.warn(`no ${options.only ?? "*.json"} in ${root}: empty collection`);
      const items: Item[] = [];
      for (const file of files) {
        const data = readJson(file);
        if (!Array.isArray(data)) throw new DataFileError(`${file}: expected a JSON array`);
        data.forEach((item, i) => {
          if (item === null || typeof item !== "object" || Array.isArray(item))
            throw new DataFileError(`${file}: [${i}] expected an object`);
          const id = (item as Json)[options.idField];
          if (typeof id !== "string" || id === "")
            throw new DataFileError(`${file}: [${i}].${options.idField} expected a non-empty string`);
          items.push({ id, data: item as Json, file, where: `${file} [${i}]` });
        });
      }
      await store(ctx, items);
    },
  };
}
