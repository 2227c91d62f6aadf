import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  formatCatalogError,
  loadCatalog,
  validateCatalog,
  type CatalogError,
} from "../../../scripts/catalog/validate.ts";
import { copyCatalog, DATA_DIR, editJson, REPO_ROOT } from "./fixture.ts";

type J = Record<string, unknown> & { [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Exactly the errors about one file / field (messages checked by the caller). */
function errorsAt(errors: CatalogError[], file: string, field: string): CatalogError[] {
  return errors.filter((e) => e.file === file && e.field === field);
}

describe("catalog data as committed", () => {
  it("validates with no errors and holds every model of the reference (83)", () => {
    const { catalog, errors } = loadCatalog(DATA_DIR);
    assert.deepEqual(errors.map(formatCatalogError), []);
    assert.equal(catalog.models.length, 83);
    assert.equal(readdirSync(join(DATA_DIR, "models")).length, 83);
  });

  it("has the lists the calculator's pickers need", () => {
    const { catalog } = loadCatalog(DATA_DIR);
    // 9 upstream -ctk/-ctv types (common/arg.cpp) + 3 TurboQuant types.
    assert.equal(catalog.kvTypes.length, 12);
    assert.ok(catalog.weightFtypes.some((f) => f.id === "Q4_K_M" && f.ftype === 15));
    assert.ok(catalog.hardware.some((h) => h.id === "nvidia-h100-sxm-80gb" && h.usableMemory?.kind === "measured"));
    assert.ok(catalog.hardware.filter((h) => h.vendor === "apple").length >= 40);
    assert.deepEqual(catalog.budgets.map((b) => b.id).sort(), [
      "apple-metal-default",
      "generic-gpu",
      "seed-32gb-mac-m4-max",
      "seed-36gb-m3-max",
    ]);
  });
});

// Each case edits a fresh copy so one break cannot hide another.
function withCopy(fn: (d: string) => void): CatalogError[] {
  const c = copyCatalog();
  try {
    fn(c.dir);
    return validateCatalog(c.dir);
  } finally {
    c.cleanup();
  }
}

describe("bad data fails naming the file and the field", () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = copyCatalog()));
  after(() => cleanup());

  it("the untouched copy is valid (the cases below start from a clean state)", () => {
    assert.deepEqual(validateCatalog(dir), []);
  });

  it("a preset the engine cannot size fails, naming the field the engine needs", () => {
    const errors = withCopy((d) =>
      editJson<J>(join(d, "models/falcon-h1-7b.json"), (m) => {
        m.architecture.recurrent.n_group = null;
      }),
    );
    const e = errorsAt(errors, "data/models/falcon-h1-7b.json", "architecture.recurrent.n_group");
    assert.equal(e.length, 1, JSON.stringify(errors));
    assert.match(e[0].message, /cannot size/);
    const v = withCopy((d) =>
      editJson<J>(join(d, "models/qwen3-14b.json"), (m) => {
        m.architecture.vocab_size = null;
      }),
    );
    assert.equal(errorsAt(v, "data/models/qwen3-14b.json", "architecture.vocab_size").length, 1, JSON.stringify(v));
  });

  it("unknown field (strict objects)", () => {
    const errors = withCopy((d) =>
      editJson<J>(join(d, "models/qwen3-14b.json"), (m) => {
        m.architecture.head_dim = 128; // the schema calls it key_length
      }),
    );
    const e = errorsAt(errors, "data/models/qwen3-14b.json", "architecture");
    assert.equal(e.length, 1, JSON.stringify(errors));
    assert.match(e[0].message, /head_dim/);
  });
});

describe("bad data: unknown hardware fields and duplicate ids", () => {
  it("unknown top-level field of a hardware entry", () => {
    const errors = withCopy((d) =>
      editJson<J[]>(join(d, "hardware/nvidia.json"), (rows) => {
        rows[3].vramGB = 8;
      }),
    );
    const e = errorsAt(errors, "data/hardware/nvidia.json", "3");
    assert.equal(e.length, 1, JSON.stringify(errors));
    assert.match(e[0].message, /vramGB/);
  });

  it("negative KV heads (scalar)", () => {
    const errors = withCopy((d) =>
      editJson<J>(join(d, "models/llama-3.1-8b.json"), (m) => {
        m.architecture.n_head_kv = -8;
      }),
    );
    assert.ok(
      errors.some((e) => e.file === "data/models/llama-3.1-8b.json" && e.field.startsWith("architecture.n_head_kv")),
      JSON.stringify(errors),
    );
  });

  it("negative KV heads inside a per-layer array", () => {
    const errors = withCopy((d) =>
      editJson<J>(join(d, "models/jamba-mini-1.5-1.6.json"), (m) => {
        m.architecture.n_head_kv[4] = -8;
      }),
    );
    assert.ok(
      errors.some(
        (e) => e.file === "data/models/jamba-mini-1.5-1.6.json" && e.field.startsWith("architecture.n_head_kv"),
      ),
      JSON.stringify(errors),
    );
  });

  it("per-layer array of the wrong length", () => {
    const errors = withCopy((d) =>
      editJson<J>(join(d, "models/jamba-mini-1.5-1.6.json"), (m) => {
        m.architecture.n_head_kv.pop();
      }),
    );
    const e = errorsAt(errors, "data/models/jamba-mini-1.5-1.6.json", "architecture.n_head_kv");
    assert.equal(e.length, 1, JSON.stringify(errors));
    assert.match(e[0].message, /31 entries, expected block_count \(32\)/);
  });

  it("duplicate model id (a second file with the same id)", () => {
    const errors = withCopy((d) => {
      copyFileSync(join(d, "models/qwen3-14b.json"), join(d, "models/qwen3-14b-copy.json"));
    });
    const dup = errors.filter((e) => e.field === "id" && /duplicate model id "qwen3-14b"/.test(e.message));
    assert.equal(dup.length, 1, JSON.stringify(errors));
    // Files are read in name order; the message names the other file.
    assert.equal(dup[0].file, "data/models/qwen3-14b.json");
    assert.match(dup[0].message, /qwen3-14b-copy\.json/);
    assert.equal(errorsAt(errors, "data/models/qwen3-14b-copy.json", "id").length, 1);
    assert.match(errorsAt(errors, "data/models/qwen3-14b-copy.json", "id")[0].message, /must equal the file name/);
  });

  it("duplicate hardware id across files", () => {
    const errors = withCopy((d) =>
      editJson<J[]>(join(d, "hardware/amd.json"), (rows) => {
        rows[0].id = "nvidia-rtx-4090";
      }),
    );
    const dup = errors.filter((x) => /duplicate hardware id "nvidia-rtx-4090"/.test(x.message));
    assert.equal(dup.length, 1, JSON.stringify(errors));
    assert.equal(dup[0].file, "data/hardware/nvidia.json");
    assert.match(dup[0].field, /^\d+\.id$/);
    assert.match(dup[0].message, /amd\.json/);
  });
});

describe("bad data: dangling references", () => {
  it("dangling reference: a budget naming a missing hardware id", () => {
    const errors = withCopy((d) =>
      editJson<J>(join(d, "budgets/seed-36gb-m3-max.json"), (b) => {
        b.hardwareId = "apple-m3-max-37gb";
      }),
    );
    const e = errorsAt(errors, "data/budgets/seed-36gb-m3-max.json", "hardwareId");
    assert.equal(e.length, 1, JSON.stringify(errors));
    assert.match(e[0].message, /no hardware entry "apple-m3-max-37gb"/);
  });

  it("dangling reference: a weight variant naming a missing ftype", () => {
    const errors = withCopy((d) =>
      editJson<J>(join(d, "models/qwen3.5-9b.json"), (m) => {
        m.weights[0].ftype = "Q4_K_XL";
      }),
    );
    const e = errorsAt(errors, "data/models/qwen3.5-9b.json", "weights.0.ftype");
    assert.equal(e.length, 1, JSON.stringify(errors));
    assert.match(e[0].message, /Q4_K_XL/);
  });
});

describe("bad data: budgets, KV types, hardware figures and files", () => {
  it("budget arithmetic that does not add up (exact stated result)", () => {
    const errors = withCopy((d) =>
      editJson<J>(join(d, "budgets/seed-36gb-m3-max.json"), (b) => {
        b.statedAvailable.approximate = false; // 36 − 5.5 = 30.5, stated 31
      }),
    );
    const e = errorsAt(errors, "data/budgets/seed-36gb-m3-max.json", "statedAvailable");
    assert.equal(e.length, 1, JSON.stringify(errors));
    assert.match(e[0].message, /off by 500000000 B/);
  });

  it("stated bytes that disagree with amount × unit", () => {
    const errors = withCopy((d) =>
      editJson<J>(join(d, "budgets/seed-36gb-m3-max.json"), (b) => {
        b.items[0].stated.bytes = 2.5 * 2 ** 30; // 2.5 GiB, but the unit says GB
      }),
    );
    assert.equal(errorsAt(errors, "data/budgets/seed-36gb-m3-max.json", "items.0.stated.bytes").length, 1);
  });

  it("a KV type whose bits per value contradict its block layout", () => {
    const errors = withCopy((d) =>
      editJson<J[]>(join(d, "quants/kv-types.json"), (rows) => {
        const t = rows.find((r) => r.name === "turbo3")!;
        t.bitsPerValue = 3.5; // the March 2026 figure, but the block is 50 B / 128
      }),
    );
    const i = (JSON.parse(readFileSync(join(DATA_DIR, "quants/kv-types.json"), "utf8")) as J[]).findIndex(
      (r) => r.name === "turbo3",
    );
    assert.equal(errorsAt(errors, "data/quants/kv-types.json", `${i}.bitsPerValue`).length, 1, JSON.stringify(errors));
  });

  it("a KV type name the engine does not know", () => {
    const errors = withCopy((d) =>
      editJson<J[]>(join(d, "quants/kv-types.json"), (rows) => {
        rows[0].name = "q3_0";
      }),
    );
    assert.equal(errorsAt(errors, "data/quants/kv-types.json", "0.name").length, 1, JSON.stringify(errors));
  });

  it("a measured working-set limit without a matching observation", () => {
    const errors = withCopy((d) =>
      editJson<J[]>(join(d, "hardware/apple-silicon.json"), (rows) => {
        const h = rows.find((r) => r.id === "apple-m1-max-64gb")!;
        h.metalWorkingSet.bytes += 1;
      }),
    );
    assert.ok(
      errors.some((e) => e.file === "data/hardware/apple-silicon.json" && e.field.endsWith("metalWorkingSet.bytes")),
      JSON.stringify(errors),
    );
  });

  it("usable VRAM that is not total − reserved", () => {
    const errors = withCopy((d) =>
      editJson<J[]>(join(d, "hardware/nvidia.json"), (rows) => {
        const h = rows.find((r) => r.id === "nvidia-h100-sxm-80gb")!;
        h.usableMemory.reservedBytes = 0;
      }),
    );
    assert.ok(
      errors.some((e) => e.field.endsWith("usableMemory.usableBytes")),
      JSON.stringify(errors),
    );
  });

  it("invalid JSON and unknown files", () => {
    const errors = withCopy((d) => {
      writeFileSync(join(d, "models/broken.json"), "{ not json");
      writeFileSync(join(d, "quants/extra.json"), "[]");
    });
    assert.equal(errorsAt(errors, "data/models/broken.json", "").length, 1);
    assert.match(errorsAt(errors, "data/quants/extra.json", "")[0].message, /unknown file/);
  });
});

describe("validate CLI", () => {
  const node = process.execPath;
  const script = join(REPO_ROOT, "scripts/catalog/validate.ts");

  it("exits 0 on the committed data", () => {
    const r = spawnSync(node, [script, DATA_DIR], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /83 models/);
  });

  it("exits 1 naming file and field on bad data, 2 on usage errors", () => {
    const c = copyCatalog();
    try {
      editJson<J>(join(c.dir, "budgets/generic-gpu.json"), (b) => {
        b.hardwareId = "nope";
      });
      const r = spawnSync(node, [script, c.dir], { encoding: "utf8" });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /data\/budgets\/generic-gpu\.json: hardwareId: no hardware entry "nope"/);
    } finally {
      c.cleanup();
    }
    assert.equal(spawnSync(node, [script, "--help"], { encoding: "utf8" }).status, 2);
  });
});
