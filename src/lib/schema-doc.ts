/**
 * A JSON Schema (draft 2020-12, as zod's toJSONSchema writes it) flattened into documentation
 * rows: dotted path, type, required, description. Pure; arrays show as `path[]`.
 */
export interface FieldRow {
  path: string;
  type: string;
  required: boolean;
  description: string;
}

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  description?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  $ref?: string;
  additionalProperties?: Schema | boolean;
  pattern?: string;
};

function typeOf(s: Schema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(" | ");
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map(typeOf).join(" | ");
  if (s.$ref) return s.$ref.replace(/^#\/\$defs\//, "");
  if (Array.isArray(s.type)) return s.type.join(" | ");
  if (s.type === "array") return `${s.items ? typeOf(s.items) : "any"}[]`;
  if (s.type === "object" && s.additionalProperties && typeof s.additionalProperties === "object")
    return `{ [key]: ${typeOf(s.additionalProperties)} }`;
  return s.type ?? "any";
}

/** Object-valued schema of s, looking through nullable unions and arrays. */
function objectOf(s: Schema): Schema | undefined {
  if (s.properties) return s;
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map(objectOf).find(Boolean);
  return undefined;
}

export function schemaRows(root: Schema, maxDepth = 4): FieldRow[] {
  const rows: FieldRow[] = [];
  const walk = (s: Schema, prefix: string, depth: number) => {
    const obj = objectOf(s);
    if (!obj?.properties || depth > maxDepth) return;
    const req = new Set(obj.required ?? []);
    for (const [name, child] of Object.entries(obj.properties)) {
      const path = prefix ? `${prefix}.${name}` : name;
      rows.push({ path, type: typeOf(child), required: req.has(name), description: child.description ?? "" });
      if (child.type === "array" && child.items) walk(child.items, `${path}[]`, depth + 1);
      else walk(child, path, depth + 1);
    }
  };
  walk(root, "", 0);
  return rows;
}
