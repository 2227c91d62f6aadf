/**
 * Layer rules: no layer imports one above it. The layers, lowest first:
 *   src/schemas (zod shapes) → src/lib (pure engine, catalog, view models) → src/charts →
 *   src/content-layer → src/views (view models that read collections) → src/integrations,
 *   src/components, src/layouts → src/pages; scripts/ and tests/ beside them.
 * src/components holds components only (.astro, .tsx, .jsx): logic lives a layer down.
 * A failure names the file, the line and the rule, so the fix is to move code down a layer.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { importsOf, sourceFiles, type ImportEdge } from "../../helpers/imports.ts";
import { REPO_ROOT } from "../../helpers/engine.ts";

interface Rule {
  readonly name: string;
  /** Files the rule applies to (repo-relative prefix). */
  readonly from: string;
  /** Whether an import breaks the rule. */
  readonly forbids: (e: ImportEdge) => boolean;
}

const under = (to: string | null, ...dirs: string[]): boolean =>
  to !== null && dirs.some((d) => to === d || to.startsWith(`${d}/`));

/**
 * What src/schemas may import besides zod and itself: dependency-free modules of constants and
 * pure rules that code outside the schemas needs without zod —
 * - src/lib/kv-types.ts: the K/V type names and engine revisions (the calculator's first bundle);
 * - src/lib/runs/raw-path.ts: the stored-path rule (ingest and the build re-check joined paths).
 */
export const SCHEMA_CONSTANT_MODULES = ["src/lib/kv-types.ts", "src/lib/runs/raw-path.ts"];

export const RULES: readonly Rule[] = [
  {
    name: "src/lib is pure: it imports no site layer, script or test",
    from: "src/lib/",
    forbids: (e) =>
      under(e.to, "src/components", "src/pages", "src/content-layer", "src/layouts", "src/integrations", "src/views") ||
      under(e.to, "scripts", "tests") ||
      // The chart modules' data shapes are the contract a view model fills: types only.
      (under(e.to, "src/charts") && !e.typeOnly),
  },
  {
    name: "src/schemas imports only zod, other schemas and plain constant modules",
    from: "src/schemas/",
    forbids: (e) =>
      e.to === null ? e.specifier !== "zod" : !under(e.to, "src/schemas") && !SCHEMA_CONSTANT_MODULES.includes(e.to),
  },
  ...SCHEMA_CONSTANT_MODULES.map((from) => ({
    name: "the constant modules src/schemas reads import nothing at run time",
    from,
    forbids: (e: ImportEdge) => !e.typeOnly,
  })),
  {
    name: "src/charts builds figures from data: no components, pages or scripts",
    from: "src/charts/",
    forbids: (e) =>
      under(e.to, "src/components", "src/pages", "src/layouts", "src/views", "src/integrations", "scripts", "tests"),
  },
  {
    // The content layer is needed too: a view model that lists runs or presets reads the collections.
    name: "src/views imports only lib, schemas, charts, the content layer and packages",
    from: "src/views/",
    forbids: (e) =>
      e.to !== null && !under(e.to, "src/views", "src/lib", "src/schemas", "src/charts", "src/content-layer"),
  },
  {
    name: "src/integrations (build hooks) import no components, pages or layouts",
    from: "src/integrations/",
    forbids: (e) => under(e.to, "src/components", "src/pages", "src/layouts", "scripts", "tests"),
  },
  {
    name: "scripts/ never import the site's pages or layouts",
    from: "scripts/",
    forbids: (e) => under(e.to, "src/pages", "src/layouts"),
  },
  {
    name: "src/components never import scripts/ or tests/",
    from: "src/components/",
    forbids: (e) => under(e.to, "scripts", "tests"),
  },
];

export function violations(edges: readonly ImportEdge[], rules: readonly Rule[] = RULES): string[] {
  const out: string[] = [];
  for (const e of edges)
    for (const r of rules)
      if ((e.from === r.from || e.from.startsWith(r.from)) && r.forbids(e))
        out.push(`${e.from}:${e.line} imports ${e.specifier} — ${r.name}`);
  return out;
}

/** Pairs of component folders that import each other (e.g. reports ↔ runs). */
export function folderCycles(edges: readonly ImportEdge[], base = "src/components"): string[] {
  const folder = (f: string | null): string | null =>
    f && f.startsWith(`${base}/`) && f.split("/").length > 3 ? f.split("/")[2] : null;
  const pairs = new Map<string, ImportEdge>();
  for (const e of edges) {
    const a = folder(e.from);
    const b = folder(e.to);
    if (a && b && a !== b && !pairs.has(`${a}>${b}`)) pairs.set(`${a}>${b}`, e);
  }
  const out: string[] = [];
  for (const [key, e] of pairs) {
    const [a, b] = key.split(">");
    const back = pairs.get(`${b}>${a}`);
    if (a < b && back) out.push(`${base}/${a} ↔ ${base}/${b}: ${e.from}:${e.line} and ${back.from}:${back.line}`);
  }
  return out;
}

const edges = ["src", "scripts", "tests"]
  .flatMap((d) => sourceFiles(REPO_ROOT, d))
  .flatMap((f) => importsOf(REPO_ROOT, f));

test("every kind of import is read, in .ts and .astro files", () => {
  const root = mkdtempSync(path.join(tmpdir(), "imports-"));
  try {
    mkdirSync(path.join(root, "src/x"), { recursive: true });
    const ts = [
      'import a from "./a.ts";',
      'import type { B } from "../b.ts";',
      'import { type C } from "./c.ts";',
      'export { d } from "./d.ts";',
      "const e = await import(`./e.ts`);",
      'const f = import("./f.ts");',
      'let g: import("./g.ts").G;',
      'import "zod";',
    ].join("\n");
    writeFileSync(path.join(root, "src/x/m.ts"), ts);
    writeFileSync(
      path.join(root, "src/x/P.astro"),
      '---\nimport H from "./H.astro";\n---\n<p>import x from "./not-code.ts"</p>\n<script>\nimport "./i.ts";\n</script>\n',
    );
    assert.deepEqual(sourceFiles(root, "src"), ["src/x/P.astro", "src/x/m.ts"]);
    const seen = (f: string): string[] =>
      importsOf(root, f).map((e) => `${e.line} ${e.to ?? e.specifier}${e.typeOnly ? " type" : ""}`);
    assert.deepEqual(seen("src/x/m.ts"), [
      "1 src/x/a.ts",
      "2 src/b.ts type",
      "3 src/x/c.ts type",
      "4 src/x/d.ts",
      "5 src/x/e.ts",
      "6 src/x/f.ts",
      "7 src/x/g.ts type",
      "8 zod",
    ]);
    assert.deepEqual(seen("src/x/P.astro"), ["2 src/x/H.astro", "6 src/x/i.ts"]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  assert.ok(edges.length > 1000, `${edges.length} imports in the repository`);
});

test("no layer imports a layer above it", () => {
  assert.deepEqual(violations(edges), []);
});

/** Files under src/components that are not components (.astro, .tsx, .jsx). */
export function nonComponents(files: readonly string[]): string[] {
  return files.filter((f) => f.startsWith("src/components/") && !/\.(astro|tsx|jsx)$/.test(f));
}

test("src/components holds components only", () => {
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "src/components"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  })
    .split("\n")
    .filter((f) => f !== "" && existsSync(path.join(REPO_ROOT, f)));
  assert.ok(files.length > 10, `${files.length} files in src/components`);
  assert.deepEqual(nonComponents(files), []);
  assert.deepEqual(nonComponents(["src/components/a/B.astro", "src/components/a/c.ts", "src/components/x.css"]), [
    "src/components/a/c.ts",
    "src/components/x.css",
  ]);
});

test("no two component folders import each other", () => {
  assert.deepEqual(folderCycles(edges), []);
});

test("the rules catch what they forbid", () => {
  const edge = (from: string, to: string | null, specifier = to ?? "", typeOnly = false): ImportEdge => ({
    from,
    to,
    specifier,
    line: 1,
    typeOnly,
  });
  const bad = [
    edge("src/lib/engine/x.ts", "src/components/runs/RunMeta.astro"),
    edge("src/lib/calculator/y.ts", "src/charts/memory-vs-context.ts"),
    edge("src/schemas/model.ts", null, "node:fs"),
    edge("src/schemas/model.ts", "src/lib/engine/index.ts"),
    edge("scripts/calc.ts", "src/pages/index.astro"),
    edge("src/components/runs/a.ts", "scripts/ingest.ts"),
    edge("src/charts/a.ts", "src/components/runs/a.ts"),
    edge("src/views/runs/a.ts", "src/components/runs/A.astro"),
    edge("src/views/runs/a.ts", "scripts/ingest.ts"),
    edge("src/lib/runs/a.ts", "src/views/runs/a.ts"),
    edge("src/integrations/a.ts", "src/pages/index.astro"),
  ];
  assert.equal(violations(bad).length, bad.length);
  const good = [
    edge("src/lib/calculator/y.ts", "src/charts/memory-vs-context.ts", "x", true),
    edge("src/schemas/kv-type.ts", "src/lib/kv-types.ts"),
    edge("src/schemas/model.ts", null, "zod"),
    edge("scripts/calc.ts", "src/lib/engine/index.ts"),
    edge("src/views/runs/a.ts", "src/content-layer/runs.ts"),
    edge("src/views/runs/a.ts", null, "astro:content"),
    edge("src/charts/run-charts.ts", "src/lib/runs/run-view.ts"),
  ];
  assert.deepEqual(violations(good), []);
  const cycle = [
    edge("src/components/a/x.ts", "src/components/b/y.ts"),
    edge("src/components/b/z.ts", "src/components/a/w.ts"),
  ];
  assert.equal(folderCycles(cycle).length, 1);
});
