/**
 * Plot's module-load work made lazy by the build (src/integrations/plot-lazy-init.ts): the
 * installed Plot still holds each replaced text exactly once, the rewritten module formats every
 * value as the original does, and loading it no longer constructs an Intl.NumberFormat (the cost
 * the rewrite removes from the calculator's first chart). Both modules are the real files of
 * node_modules: the rewritten one is the same file loaded under another URL through a load hook.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { registerHooks } from "node:module";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { REWRITES, rewritePlotModule } from "../../../src/integrations/plot-lazy-init.ts";

// the package's root (its exports name only the entry module, src/index.js)
const plotDir = path.dirname(path.dirname(fileURLToPath(import.meta.resolve("@observablehq/plot"))));
const formatFile = path.join(plotDir, "src/format.js");
const REWRITTEN = "?plot-lazy-init";

registerHooks({
  load(url, context, nextLoad) {
    const r = nextLoad(url, context);
    if (!url.endsWith(REWRITTEN)) return r;
    return { ...r, source: rewritePlotModule(fileURLToPath(url.slice(0, -REWRITTEN.length)), String(r.source))! };
  },
});

type FormatModule = {
  formatNumber: (locale?: string) => (v: unknown) => string | undefined;
  formatAuto: (locale?: string) => (v: unknown) => string | undefined;
  formatDefault: (v: unknown) => string | undefined;
};

/** Imports the rewritten format.js, counting the Intl.NumberFormat objects constructed meanwhile. */
async function importRewritten(): Promise<{ mod: FormatModule; built: () => number }> {
  const Original = Intl.NumberFormat;
  let built = 0;
  Intl.NumberFormat = new Proxy(Original, {
    construct(target, args: ConstructorParameters<typeof Intl.NumberFormat>) {
      built++;
      return new target(...args);
    },
  });
  try {
    const mod = (await import(pathToFileURL(formatFile).href + REWRITTEN)) as FormatModule;
    const atLoad = built;
    return { mod, built: () => atLoad };
  } finally {
    Intl.NumberFormat = Original;
  }
}

/** What `f()` gives: its value, or the error it throws (a BigInt throws in isNaN in both). */
function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    return `throws ${String(e)}`;
  }
}

test("every rewrite's text is in the installed Plot exactly once", () => {
  for (const r of REWRITES) {
    const file = path.join(plotDir, r.file.replace("/@observablehq/plot/", ""));
    const code = readFileSync(file, "utf8");
    assert.equal(code.split(r.from).length, 2, `${r.file}: the replaced text once`);
    assert.ok(rewritePlotModule(file, code)!.includes(r.to));
  }
  assert.equal(rewritePlotModule("/x/node_modules/d3-scale/src/linear.js", "code"), null, "other modules untouched");
  assert.throws(() => rewritePlotModule(formatFile, "export const changed = 1;"), /no longer holds the text/);
});

test("loading the rewritten format.js builds no number format; formatting gives the original's strings", async () => {
  const { mod: lazy, built } = await importRewritten();
  assert.equal(built(), 0, "no Intl.NumberFormat at module load");
  const orig = (await import(pathToFileURL(formatFile).href)) as FormatModule;
  const values: unknown[] = [0, -0, 1, -1.5, 1234567.891, 1e21, 1e-7, 0.1 + 0.2, NaN, Infinity, -Infinity];
  values.push(null, undefined, "", "text", "1234", true, new Date(Date.UTC(2024, 1, 29, 12)), new Date(NaN), 12n);
  for (const locale of [undefined, "en-US", "de-DE", "fr-FR", "ar-EG"]) {
    for (const v of values) {
      const name = `${String(locale)} ${typeof v} ${String(v)}`;
      const number = [lazy.formatNumber(locale), orig.formatNumber(locale)];
      assert.equal(
        outcome(() => number[0](v)),
        outcome(() => number[1](v)),
        `formatNumber ${name}`,
      );
      const auto = [lazy.formatAuto(locale), orig.formatAuto(locale)];
      assert.equal(
        outcome(() => auto[0](v)),
        outcome(() => auto[1](v)),
        `formatAuto ${name}`,
      );
    }
  }
  for (const v of values)
    assert.equal(
      outcome(() => lazy.formatDefault(v)),
      outcome(() => orig.formatDefault(v)),
      `formatDefault ${String(v)}`,
    );
});
