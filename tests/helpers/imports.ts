/**
 * The import graph of the repository's own sources, read with the TypeScript compiler's parser
 * (static imports, re-exports, `import type`, dynamic `import()`, `import("…")` types), for the
 * layer rules test. Astro files contribute their frontmatter and their `<script>` blocks.
 */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import ts from "typescript";

export const SOURCE_EXTENSIONS = [".ts", ".tsx", ".mts", ".astro", ".mjs", ".js"];

export interface ImportEdge {
  /** Importing file, repo-relative with forward slashes. */
  readonly from: string;
  /** The specifier as written. */
  readonly specifier: string;
  /** Repo-relative target for relative specifiers; null for packages and `node:` modules. */
  readonly to: string | null;
  readonly line: number;
  /** `import type` / `export type` / `import("…")` in a type: erased at run time. */
  readonly typeOnly: boolean;
}

/** Files under `dir` (repo-relative) with a source extension, skipping node_modules and dot folders. */
export function sourceFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (SOURCE_EXTENSIONS.some((x) => e.name.endsWith(x)) && !e.name.endsWith(".d.ts")) out.push(child);
    }
  };
  walk(dir);
  return out.sort();
}

/** The code of a file as TypeScript sees it, with line numbers preserved (Astro: frontmatter + scripts). */
function codeOf(file: string, text: string): string {
  if (!file.endsWith(".astro")) return text;
  const keep = new Array<boolean>(text.length).fill(false);
  const mark = (start: number, end: number): void => {
    for (let i = start; i < end; i++) keep[i] = true;
  };
  const fm = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (fm) mark(4, 4 + fm[1].length);
  for (const m of text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
    const start = m.index + m[0].indexOf(">") + 1;
    mark(start, start + m[1].length);
  }
  return Array.from(text, (ch, i) => (keep[i] || ch === "\n" ? ch : " ")).join("");
}

export function importsOf(root: string, file: string): ImportEdge[] {
  const code = codeOf(file, readFileSync(path.join(root, file), "utf8"));
  const sf = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TSX);
  const out: ImportEdge[] = [];
  const add = (spec: ts.Expression | undefined, typeOnly: boolean): void => {
    if (!spec || !ts.isStringLiteralLike(spec)) return;
    const name = spec.text;
    const to = name.startsWith(".") ? path.posix.normalize(path.posix.join(path.posix.dirname(file), name)) : null;
    const line = sf.getLineAndCharacterOfPosition(spec.getStart(sf)).line + 1;
    out.push({ from: file, specifier: name, to, line, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const c = node.importClause;
      const typeOnly =
        !!c &&
        (c.phaseModifier === ts.SyntaxKind.TypeKeyword ||
          (!c.name &&
            !!c.namedBindings &&
            ts.isNamedImports(c.namedBindings) &&
            c.namedBindings.elements.length > 0 &&
            c.namedBindings.elements.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) add(node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      add(node.arguments[0], false);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal, true);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}
