/**
 * Sizes for the team's size rule (BRIEF / issue 14: ≤ 400 lines per source file, ≤ 80 lines per
 * function), measured with the TypeScript compiler's parser so that a function is what the language
 * says it is: declarations, function expressions, arrow functions, methods, constructors and
 * accessors. An Astro file's frontmatter counts as one function (it runs top to bottom on every
 * render), and the functions inside its frontmatter and `<script>` blocks count on their own.
 */
import { execFileSync } from "node:child_process";
import ts from "typescript";

export const MAX_FILE_LINES = 400;
export const MAX_FUNCTION_LINES = 80;

/** The extensions the rule covers. */
export const SIZE_RULE_EXTENSIONS = [".ts", ".tsx", ".mts", ".astro", ".mjs", ".js"];

export interface FunctionSize {
  /** Stable name within its file: `name`, `Class.method`, `outer › test("title")`, suffixed `#2` when repeated. */
  readonly name: string;
  /** First line (1-based), for the failure message only. */
  readonly line: number;
  readonly lines: number;
}

/** Lines of a file as an editor counts them (a final newline does not open a new line). */
export function lineCount(text: string): number {
  if (text.length === 0) return 0;
  const n = text.split("\n").length;
  return text.endsWith("\n") ? n - 1 : n;
}

/** Source files under the given folders that git tracks or would track (untracked, not ignored). */
export function trackedSourceFiles(root: string, dirs: readonly string[]): string[] {
  const out = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", ...dirs], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const files = out.split("\0").filter((f) => f !== "" && SIZE_RULE_EXTENSIONS.some((x) => f.endsWith(x)));
  return [...new Set(files)].filter((f) => !f.endsWith(".d.ts")).sort();
}

interface AstroCode {
  /** The file with everything but frontmatter and scripts blanked (line numbers kept). */
  readonly code: string;
  /** Lines of the frontmatter body, or null without one. */
  readonly frontmatter: { readonly line: number; readonly lines: number } | null;
}

function astroCode(text: string): AstroCode {
  const keep = new Uint8Array(text.length);
  const fm = /^---\r?\n([\s\S]*?)\r?\n---/.exec(text);
  if (fm) keep.fill(1, 4, 4 + fm[1].length);
  for (const m of text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
    const start = m.index + m[0].indexOf(">") + 1;
    keep.fill(1, start, start + m[1].length);
  }
  const code = Array.from(text, (ch, i) => (keep[i] === 1 || ch === "\n" ? ch : " ")).join("");
  const frontmatter = fm ? { line: 2, lines: lineCount(fm[1]) } : null;
  return { code, frontmatter };
}

const isFunctionLike = (n: ts.Node): n is ts.FunctionLikeDeclaration =>
  ts.isFunctionDeclaration(n) ||
  ts.isFunctionExpression(n) ||
  ts.isArrowFunction(n) ||
  ts.isMethodDeclaration(n) ||
  ts.isConstructorDeclaration(n) ||
  ts.isGetAccessorDeclaration(n) ||
  ts.isSetAccessorDeclaration(n);

function propertyName(name: ts.PropertyName | ts.BindingName | undefined, sf: ts.SourceFile): string | null {
  if (!name) return null;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteralLike(name)) return name.text;
  if (ts.isNumericLiteral(name)) return name.text;
  return name.getText(sf);
}

/** A readable name for a function from where it stands (its own name, its variable, its call). */
function ownName(fn: ts.FunctionLikeDeclaration, sf: ts.SourceFile): string {
  const own = propertyName(fn.name, sf);
  const parent = fn.parent;
  if (ts.isConstructorDeclaration(fn)) return "constructor";
  if (own && (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn))) {
    const cls = ts.isClassLike(parent) ? propertyName(parent.name, sf) : null;
    return cls ? `${cls}.${own}` : own;
  }
  if (own) return own;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
    return propertyName(parent.name, sf) ?? "(anonymous)";
  if (ts.isExportAssignment(parent)) return "default";
  if (ts.isCallExpression(parent)) {
    const callee = parent.expression.getText(sf).replace(/\s+/g, "");
    const first = parent.arguments[0];
    // A test's title names its callback; long titles are cut so that the key stays one short line.
    const text = first && ts.isStringLiteralLike(first) ? first.text : "";
    const title = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    return `${callee.length > 40 ? callee.slice(0, 40) + "…" : callee}(${title})`;
  }
  if (ts.isJsxExpression(parent)) return "(jsx)";
  return "(anonymous)";
}

/** Every function of a source text with its length in lines (first to last line of its code). */
export function functionSizes(file: string, text: string): FunctionSize[] {
  const astro = file.endsWith(".astro") ? astroCode(text) : null;
  const code = astro ? astro.code : text;
  const kind = file.endsWith(".tsx") || astro ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(file, code, ts.ScriptTarget.Latest, true, kind);
  const out: FunctionSize[] = [];
  const seen = new Map<string, number>();
  const push = (name: string, line: number, lines: number): void => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    out.push({ name: n === 1 ? name : `${name}#${n}`, line, lines });
  };
  if (astro?.frontmatter) push("(frontmatter)", astro.frontmatter.line, astro.frontmatter.lines);
  const lineOf = (pos: number): number => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const visit = (node: ts.Node, outer: string | null): void => {
    let scope = outer;
    if (isFunctionLike(node) && node.body) {
      const name = ownName(node, sf);
      scope = outer ? `${outer} › ${name}` : name;
      const first = lineOf(node.getStart(sf));
      push(scope, first, lineOf(node.getEnd()) - first + 1);
    }
    ts.forEachChild(node, (child) => visit(child, scope));
  };
  visit(sf, null);
  return out;
}

export interface SizeOffence {
  /** `path` for a long file, `path › function name` for a long function. */
  readonly key: string;
  readonly message: string;
}

/** The offences of one file against the rule. */
export function offencesOf(file: string, text: string): SizeOffence[] {
  const out: SizeOffence[] = [];
  const lines = lineCount(text);
  if (lines > MAX_FILE_LINES) out.push({ key: file, message: `${file}: ${lines} lines (limit ${MAX_FILE_LINES})` });
  for (const f of functionSizes(file, text))
    if (f.lines > MAX_FUNCTION_LINES)
      out.push({
        key: `${file} › ${f.name}`,
        message: `${file}:${f.line} ${f.name}: ${f.lines} lines (limit ${MAX_FUNCTION_LINES})`,
      });
  return out;
}
