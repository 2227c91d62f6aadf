/**
 * Catalog validator: data/quants, data/hardware, data/budgets, data/models.
 *
 *   node scripts/catalog/validate.ts [dataDir]      (default: data; exit 0 ok, 1 errors, 2 usage)
 *
 * `validateCatalog(dataDir)` returns every problem as { file, field, message } — schema errors
 * (strict objects: unknown fields fail), duplicate ids, dangling references (a budget naming a
 * missing hardware id, a weight variant naming a missing ftype) and arithmetic that does not add
 * up, and every model preset the engine cannot size (a field its rules need is missing or
 * unusable: the error names it). `loadCatalog` returns the parsed data as well, for tests and scripts.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import type { z } from "zod";
import { BudgetSchema, type Budget } from "../../src/schemas/budget.ts";
import { HardwareFileSchema, type Hardware } from "../../src/schemas/hardware.ts";
import { ModelSchema, type Model } from "../../src/schemas/model.ts";
import {
  KvCacheTypesFileSchema,
  WeightFtypesFileSchema,
  type KvCacheType,
  type WeightFtype,
} from "../../src/schemas/quant.ts";
import { parseBytes, UnitError } from "../../src/lib/units.ts";
import { computeBreakdown, EngineError } from "../../src/lib/engine/index.ts";
import { RuntimeConfigSchema } from "../../src/schemas/runtime-config.ts";
import { friendlyIssues } from "../../src/lib/zod-issues.ts";

export interface CatalogError {
  /** Path relative to the data directory's parent, e.g. `data/models/qwen3-14b.json`. */
  file: string;
  /** Dotted path of the field inside the file (`architecture.n_head_kv.3`), or "" for the file. */
  field: string;
  message: string;
}

export interface Catalog {
  models: Model[];
  kvTypes: KvCacheType[];
  weightFtypes: WeightFtype[];
  hardware: Hardware[];
  budgets: Budget[];
}

export function formatCatalogError(e: CatalogError): string {
  return `${e.file}${e.field ? `: ${e.field}` : ""}: ${e.message}`;
}

const QUANT_FILES = ["kv-types.json", "weight-ftypes.json"];

class Ctx {
  readonly errors: CatalogError[] = [];
  readonly dataDir: string;
  constructor(dataDir: string) {
    this.dataDir = dataDir;
  }
  rel(...parts: string[]): string {
    return join(basename(this.dataDir), ...parts);
  }
  err(file: string, field: string, message: string): void {
    this.errors.push({ file, field, message });
  }
  /** Parse JSON + schema; reports and returns null on failure. */
  read<S extends z.ZodType>(file: string, abs: string, schema: S): z.infer<S> | null {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(abs, "utf8"));
    } catch (e) {
      this.err(file, "", `not valid JSON: ${(e as Error).message}`);
      return null;
    }
    const r = schema.safeParse(raw);
    if (!r.success) {
      for (const i of friendlyIssues(r.error.issues, raw)) {
        const found = i.received === null ? "" : ` (received ${i.received})`;
        this.err(file, i.path === "(root)" ? "" : i.path, `${i.message}${found}`);
      }
      return null;
    }
    return r.data;
  }
}

function jsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json") && statSync(join(dir, f)).isFile())
    .sort();
}

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

function checkKvTypes(ctx: Ctx, file: string, rows: KvCacheType[]): void {
  const seen = new Set<string>();
  rows.forEach((t, i) => {
    const at = (f: string) => `${i}.${f}`;
    if (seen.has(t.name)) ctx.err(file, at("name"), `duplicate KV type "${t.name}"`);
    seen.add(t.name);
    if (!close(t.bitsPerValue, (t.bytesPerBlock * 8) / t.blockSize))
      ctx.err(
        file,
        at("bitsPerValue"),
        `${t.bitsPerValue} ≠ bytesPerBlock × 8 / blockSize = ${(t.bytesPerBlock * 8) / t.blockSize}`,
      );
    if (new Set(t.engines).size !== t.engines.length) ctx.err(file, at("engines"), "duplicate engine");
    if (t.history.length === 0) ctx.err(file, at("history"), "needs at least the current layout");
    t.history.forEach((h, j) => {
      if (!close(h.bitsPerValue, (h.bytesPerBlock * 8) / h.blockSize))
        ctx.err(file, at(`history.${j}.bitsPerValue`), `${h.bitsPerValue} ≠ bytesPerBlock × 8 / blockSize`);
      if (h.from && h.until && h.from > h.until) ctx.err(file, at(`history.${j}.until`), `before "from" (${h.from})`);
      const last = j === t.history.length - 1;
      if (last !== (h.until === null))
        ctx.err(
          file,
          at(`history.${j}.until`),
          last ? "the last period must be open (until = null)" : "only the last period may be open",
        );
    });
    const cur = t.history[t.history.length - 1];
    if (cur && (cur.blockSize !== t.blockSize || cur.bytesPerBlock !== t.bytesPerBlock))
      ctx.err(file, at("history"), "the current (last) period differs from blockSize / bytesPerBlock");
  });
}

function checkFtypes(ctx: Ctx, file: string, rows: WeightFtype[]): void {
  const ids = new Set<string>();
  const nums = new Set<number>();
  rows.forEach((f, i) => {
    if (ids.has(f.id)) ctx.err(file, `${i}.id`, `duplicate ftype id "${f.id}"`);
    if (nums.has(f.ftype)) ctx.err(file, `${i}.ftype`, `duplicate general.file_type ${f.ftype}`);
    ids.add(f.id);
    nums.add(f.ftype);
    if ((f.typicalBpw === null) !== (f.typicalBpwBasis === null))
      ctx.err(file, `${i}.typicalBpwBasis`, "typicalBpw and typicalBpwBasis must be given together");
  });
}

function checkHardware(ctx: Ctx, file: string, rows: Hardware[], ids: Map<string, string>): void {
  rows.forEach((h, i) => {
    const at = (f: string) => `${i}.${f}`;
    const prev = ids.get(h.id);
    if (prev) ctx.err(file, at("id"), `duplicate hardware id "${h.id}" (also in ${prev})`);
    ids.set(h.id, file);
    if (h.vendor === "apple") {
      if (h.memoryKind !== "unified") ctx.err(file, at("memoryKind"), "Apple Silicon memory is unified");
      if (!h.metalWorkingSet) ctx.err(file, at("metalWorkingSet"), "required for Apple Silicon");
      if (!h.wiredLimitSysctl) ctx.err(file, at("wiredLimitSysctl"), "required for Apple Silicon");
    } else {
      if (h.metalWorkingSet) ctx.err(file, at("metalWorkingSet"), "only for Apple Silicon");
      if (h.wiredLimitSysctl) ctx.err(file, at("wiredLimitSysctl"), "only for Apple Silicon");
    }
    const ws = h.metalWorkingSet;
    if (ws) {
      if (ws.bytes > h.memoryBytes) ctx.err(file, at("metalWorkingSet.bytes"), "exceeds memoryBytes");
      if (ws.kind === "measured" && !ws.observations.some((o) => o.bytes === ws.bytes))
        ctx.err(file, at("metalWorkingSet.bytes"), "a measured limit must equal one of its observations");
      if (ws.kind === "estimated" && !ws.rule) ctx.err(file, at("metalWorkingSet.rule"), "an estimate names its rule");
    }
    const u = h.usableMemory;
    if (u) {
      if (u.usableBytes !== u.totalBytes - u.reservedBytes)
        ctx.err(file, at("usableMemory.usableBytes"), `${u.usableBytes} ≠ totalBytes − reservedBytes`);
      if (u.totalBytes > h.memoryBytes * 1.05)
        ctx.err(file, at("usableMemory.totalBytes"), "larger than the card's memory");
    }
  });
}

function statedBytesOk(
  ctx: Ctx,
  file: string,
  field: string,
  s: { amount: number; unit: string; bytes: number },
): void {
  let want: number;
  try {
    want = parseBytes(`${s.amount}${s.unit}`);
  } catch (e) {
    if (e instanceof UnitError) {
      ctx.err(file, `${field}.unit`, e.message);
      return;
    }
    throw e;
  }
  if (want !== s.bytes) ctx.err(file, `${field}.bytes`, `${s.bytes} ≠ ${s.amount} ${s.unit} = ${want} B`);
}

function checkBudget(ctx: Ctx, file: string, b: Budget, hardwareIds: Map<string, string>): void {
  if (b.id !== basename(file, ".json")) ctx.err(file, "id", `"${b.id}" must equal the file name`);
  if (b.hardwareId !== null && !hardwareIds.has(b.hardwareId))
    ctx.err(file, "hardwareId", `no hardware entry "${b.hardwareId}" in data/hardware`);
  if (b.total) statedBytesOk(ctx, file, "total", b.total);
  if (b.statedAvailable) statedBytesOk(ctx, file, "statedAvailable", b.statedAvailable);
  b.items.forEach((it, i) => {
    if (it.stated) statedBytesOk(ctx, file, `items.${i}.stated`, it.stated);
    if (it.estimated && !it.stated) ctx.err(file, `items.${i}.estimated`, "an estimated item needs an amount");
  });
  if (!b.total && b.statedAvailable) ctx.err(file, "statedAvailable", "a template (total = null) has no stated result");
  if (b.total && b.statedAvailable && b.items.every((it) => it.stated)) {
    const rest = b.total.bytes - b.items.reduce((s, it) => s + it.stated!.bytes, 0);
    const diff = Math.abs(rest - b.statedAvailable.bytes);
    const tol = b.statedAvailable.approximate ? 0.02 * b.total.bytes : 0;
    if (diff > tol)
      ctx.err(
        file,
        "statedAvailable",
        `total − items = ${rest} B, stated ${b.statedAvailable.bytes} B (off by ${diff} B)`,
      );
  }
}

const PER_LAYER = ["n_head", "n_head_kv", "feed_forward_length"] as const;

function checkModel(ctx: Ctx, file: string, m: Model, ftypeIds: Set<string>): void {
  if (m.id !== basename(file, ".json")) ctx.err(file, "id", `"${m.id}" must equal the file name`);
  const a = m.architecture;
  const okLengths = new Set([a.block_count, a.block_count - a.nextn_predict_layers]);
  for (const k of PER_LAYER) {
    const v = a[k];
    if (Array.isArray(v) && !okLengths.has(v.length))
      ctx.err(
        file,
        `architecture.${k}`,
        `${v.length} entries, expected block_count (${a.block_count}) or the trunk (${a.block_count - a.nextn_predict_layers})`,
      );
  }
  for (const k of ["recurrent_layers", "sliding_window_pattern"] as const) {
    const v = a[k];
    if (Array.isArray(v) && !okLengths.has(v.length))
      ctx.err(file, `architecture.${k}`, `${v.length} entries, expected block_count (${a.block_count})`);
  }
  if (a.nextn_predict_layers >= a.block_count)
    ctx.err(file, "architecture.nextn_predict_layers", "must be smaller than block_count");
  if (m.context.native !== null && m.context.max !== null && m.context.max < m.context.native)
    ctx.err(file, "context.max", `smaller than context.native (${m.context.native})`);
  if (m.params.activeB !== null && m.params.totalB !== null && m.params.activeB > m.params.totalB)
    ctx.err(file, "params.activeB", "larger than params.totalB");
  const vids = new Set<string>();
  m.weights.forEach((w, i) => {
    if (vids.has(w.id)) ctx.err(file, `weights.${i}.id`, `duplicate variant id "${w.id}"`);
    vids.add(w.id);
    if (w.ftype !== null && !ftypeIds.has(w.ftype))
      ctx.err(file, `weights.${i}.ftype`, `no weight ftype "${w.ftype}" in data/quants/weight-ftypes.json`);
    if (w.bytes === null && w.bytesKind !== "displayed")
      ctx.err(file, `weights.${i}.bytes`, `null bytes only for a listing without a size, not "${w.bytesKind}"`);
    if (w.bytesKind === "estimated" && w.ftype === null)
      ctx.err(file, `weights.${i}.ftype`, "an estimated size needs the ftype it was estimated from");
  });
}

/**
 * The configurations a preset must size: every backend's breakdown (KV, state, weights, compute)
 * at a small context, with and without flash attention (the KQ term needs the head count).
 */
const SIZING_CONFIGS = (["cuda", "metal", "cpu"] as const).flatMap((backend) =>
  (["on", "off"] as const).map((flash_attn) =>
    RuntimeConfigSchema.parse({ n_ctx: 4096, weights_ftype: "Q4_K_M", backend, flash_attn }),
  ),
);

function checkSizable(ctx: Ctx, file: string, m: Model): void {
  for (const cfg of SIZING_CONFIGS) {
    try {
      computeBreakdown(m.architecture, cfg);
    } catch (e) {
      if (!(e instanceof EngineError)) throw e;
      const where = e.field ? `architecture.${e.field}` : "architecture";
      ctx.err(
        file,
        where,
        `the engine cannot size this preset (${cfg.backend}, flash attention ${cfg.flash_attn}): ${e.message}`,
      );
      return;
    }
  }
}

/** Load and check everything; never throws on bad data. */
export function loadCatalog(dataDir: string): { catalog: Catalog; errors: CatalogError[] } {
  const ctx = new Ctx(dataDir);
  const catalog: Catalog = { models: [], kvTypes: [], weightFtypes: [], hardware: [], budgets: [] };

  const qdir = join(dataDir, "quants");
  for (const f of jsonFiles(qdir))
    if (!QUANT_FILES.includes(f))
      ctx.err(ctx.rel("quants", f), "", `unknown file (expected ${QUANT_FILES.join(", ")})`);
  for (const f of QUANT_FILES) if (!existsSync(join(qdir, f))) ctx.err(ctx.rel("quants", f), "", "missing");
  const kvFile = ctx.rel("quants", "kv-types.json");
  if (existsSync(join(qdir, "kv-types.json"))) {
    const kv = ctx.read(kvFile, join(qdir, "kv-types.json"), KvCacheTypesFileSchema);
    if (kv) {
      checkKvTypes(ctx, kvFile, kv);
      catalog.kvTypes = kv;
    }
  }
  const ftFile = ctx.rel("quants", "weight-ftypes.json");
  if (existsSync(join(qdir, "weight-ftypes.json"))) {
    const ft = ctx.read(ftFile, join(qdir, "weight-ftypes.json"), WeightFtypesFileSchema);
    if (ft) {
      checkFtypes(ctx, ftFile, ft);
      catalog.weightFtypes = ft;
    }
  }

  const hardwareIds = new Map<string, string>();
  const hdir = join(dataDir, "hardware");
  for (const f of jsonFiles(hdir)) {
    const file = ctx.rel("hardware", f);
    const rows = ctx.read(file, join(hdir, f), HardwareFileSchema);
    if (!rows) continue;
    checkHardware(ctx, file, rows, hardwareIds);
    catalog.hardware.push(...rows);
  }

  const bdir = join(dataDir, "budgets");
  const budgetIds = new Set<string>();
  for (const f of jsonFiles(bdir)) {
    const file = ctx.rel("budgets", f);
    const b = ctx.read(file, join(bdir, f), BudgetSchema);
    if (!b) continue;
    if (budgetIds.has(b.id)) ctx.err(file, "id", `duplicate budget id "${b.id}"`);
    budgetIds.add(b.id);
    checkBudget(ctx, file, b, hardwareIds);
    catalog.budgets.push(b);
  }

  const ftypeIds = new Set(catalog.weightFtypes.map((f) => f.id));
  const mdir = join(dataDir, "models");
  const modelIds = new Map<string, string>();
  for (const f of jsonFiles(mdir)) {
    const file = ctx.rel("models", f);
    const m = ctx.read(file, join(mdir, f), ModelSchema);
    if (!m) continue;
    const prev = modelIds.get(m.id);
    if (prev) ctx.err(file, "id", `duplicate model id "${m.id}" (also in ${prev})`);
    modelIds.set(m.id, file);
    const before = ctx.errors.length;
    checkModel(ctx, file, m, ftypeIds);
    // A preset with a structural error already names it; sizing it would repeat it.
    if (ctx.errors.length === before) checkSizable(ctx, file, m);
    catalog.models.push(m);
  }
  return { catalog, errors: ctx.errors };
}

/** All problems of the catalog under dataDir (empty = valid). */
export function validateCatalog(dataDir: string): CatalogError[] {
  return loadCatalog(dataDir).errors;
}

function main(argv: string[]): number {
  if (argv.length > 1 || argv[0]?.startsWith("-")) {
    console.error("usage: node scripts/catalog/validate.ts [dataDir]");
    return 2;
  }
  const dir = argv[0] ?? "data";
  if (!existsSync(dir)) {
    console.error(`validate: no directory ${dir}`);
    return 2;
  }
  const { catalog, errors } = loadCatalog(dir);
  for (const e of errors) console.error(formatCatalogError(e));
  if (errors.length) {
    console.error(`validate: ${errors.length} problem(s)`);
    return 1;
  }
  console.log(
    `validate: ok — ${catalog.models.length} models, ${catalog.kvTypes.length} KV types, ${catalog.weightFtypes.length} weight ftypes, ${catalog.hardware.length} hardware entries, ${catalog.budgets.length} budgets`,
  );
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
