/**
 * Run JSON as users write it → plain JSON our schema accepts. Guards against hostile documents
 * (`__proto__`/`constructor`/`prototype` keys, non-finite numbers such as 1e400, absurd nesting)
 * and converts human sizes explicitly: any field named `bytes` or ending in `_bytes` may be a
 * string with a unit — binary `KiB/MiB/GiB/TiB` (× 1024ⁿ) or decimal `KB/MB/GB/TB` (× 1000ⁿ),
 * never a bare `K/M/G` — and `n_ctx`, `n_ctx_allocated`, `n_ctx_seq` may be `32k` (× 1024).
 */
import { UnitError, parseBytes, parseTokens } from "../../src/lib/units.ts";
import { IngestError } from "./errors.ts";

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const TOKEN_KEYS = new Set(["n_ctx", "n_ctx_allocated", "n_ctx_seq"]);
const MAX_DEPTH = 64;

/** Parse JSON text with a message that says where it broke. */
export function parseJsonText(text: string, file: string): unknown {
  if (text.trim() === "") throw new IngestError("empty file", { file, expected: "a JSON document" });
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let line: number | undefined;
    // V8 prints either a position or a snippet of ~10 characters around the error
    const snippet = /, (?:\.\.\.)?"(.+)"(?:\.\.\.)? is not valid JSON/s.exec(msg)?.[1];
    let at = pos ? Number(pos[1]) : snippet ? text.indexOf(snippet) : -1;
    if (at < 0 && /end of JSON input/i.test(msg)) at = text.length;
    if (at >= 0) line = text.slice(0, at).split("\n").length;
    throw new IngestError(`invalid JSON: ${msg}`, { file, line, expected: "complete, valid JSON" });
  }
}

function pathOf(parts: (string | number)[]): string {
  return parts.reduce<string>(
    (acc, p) =>
      typeof p === "number"
        ? `${acc}[${p}]`
        : /^[A-Za-z_$][\w$]*$/.test(p)
          ? acc
            ? `${acc}.${p}`
            : p
          : `${acc}[${JSON.stringify(p)}]`,
    "",
  );
}

/**
 * Walk a parsed document: reject forbidden keys and non-finite numbers, convert unit strings.
 * Returns a fresh copy built from plain objects (no prototype tricks survive).
 */
export function normaliseRunJson(doc: unknown, file: string): unknown {
  const walk = (v: unknown, parts: (string | number)[], depth: number): unknown => {
    if (depth > MAX_DEPTH)
      throw new IngestError("JSON nested too deeply", {
        file,
        path: pathOf(parts),
        expected: `at most ${MAX_DEPTH} levels`,
      });
    if (typeof v === "number") {
      if (!Number.isFinite(v))
        throw new IngestError("number out of range", {
          file,
          path: pathOf(parts),
          value: v,
          expected: "a finite number",
        });
      return v;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, [...parts, i], depth + 1));
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(v)) {
        const p = [...parts, key];
        if (FORBIDDEN_KEYS.has(key))
          throw new IngestError("forbidden key", {
            file,
            path: pathOf(p),
            value: key,
            expected: "a schema field name",
          });
        let x = (v as Record<string, unknown>)[key];
        if (typeof x === "string" && (key === "bytes" || key.endsWith("_bytes"))) {
          try {
            x = parseBytes(x);
          } catch (e) {
            throw new IngestError(e instanceof UnitError ? e.message : "not a size", {
              file,
              path: pathOf(p),
              value: x,
              expected:
                'an integer byte count or a size with a unit: "320 MiB", "8.6 GB" (MiB/GiB binary, MB/GB decimal)',
            });
          }
        } else if (typeof x === "string" && TOKEN_KEYS.has(key) && parts[parts.length - 1] !== "config_sources") {
          try {
            x = parseTokens(x);
          } catch (e) {
            throw new IngestError(e instanceof UnitError ? e.message : "not a token count", {
              file,
              path: pathOf(p),
              value: x,
              expected: 'a token count such as 32768 or "32k"',
            });
          }
        }
        Object.defineProperty(out, key, {
          value: walk(x, p, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    return v;
  };
  return walk(doc, [], 0);
}

export { pathOf };
