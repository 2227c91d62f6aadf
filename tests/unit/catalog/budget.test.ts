import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { loadCatalog } from "../../../scripts/catalog/validate.ts";
import { BudgetError, engineBudget, findHardware, usableBudget } from "../../../src/lib/catalog/index.ts";
import { GiB, MiB } from "../../../src/lib/units.ts";
import { DATA_DIR } from "./fixture.ts";

const { catalog } = loadCatalog(DATA_DIR);
const budget = (id: string) => catalog.budgets.find((b) => b.id === id)!;
const hw = (id: string) => findHardware(catalog.hardware, id);

describe("the original report's budgets", () => {
  it("36 GB M3 Max: only the OS is reserved; the Metal working set (2/3 of 36 GiB) binds", () => {
    const u = usableBudget(budget("seed-36gb-m3-max"), hw("apple-m3-max-36gb"));
    // 36 GB − 2.5 GB OS; Metal 1.5, Ollama 0.5 and activations 1 are the engine's own terms.
    assert.equal(u.freeAfterReservationsBytes, 36e9 - 2.5e9);
    assert.deepEqual(
      u.replaced.map((i) => [i.label, i.replacedByEngine]),
      [
        ["Metal", "runtime-overhead"],
        ["Ollama", "runtime-overhead"],
        ["activations", "compute"],
      ],
    );
    // No reading for this configuration: the ≤ 36 GB rule of thumb, 2/3 × 36 GiB = 24 GiB.
    assert.equal(u.workingSetBytes, 24 * GiB);
    assert.equal(u.workingSetKind, "estimated");
    assert.equal(u.bytes, 24 * GiB);
    assert.equal(u.limitedBy, "working-set");
    assert.ok(u.warnings.some((w) => /estimated/.test(w)));
  });

  it("36 GB M3 Max with iogpu.wired_limit_mb raised", () => {
    const a = usableBudget(budget("seed-36gb-m3-max"), hw("apple-m3-max-36gb"), { wiredLimitMiB: 30000 });
    assert.equal(a.bytes, 30000 * MiB);
    assert.equal(a.workingSetKind, "override");
    assert.ok(a.warnings.some((w) => /kernel-panicked/.test(w)));
    // Above the free RAM, the reservations bind again.
    const b = usableBudget(budget("seed-36gb-m3-max"), hw("apple-m3-max-36gb"), { wiredLimitMiB: 34000 });
    assert.equal(b.bytes, 33.5e9);
    assert.equal(b.limitedBy, "reservations");
  });

  it("32 GB Mac (as reported; M4 Max): no itemised amounts, so the stated 27 GB is used", () => {
    const u = usableBudget(budget("seed-32gb-mac-m4-max"), null);
    assert.equal(u.bytes, 27e9);
    assert.equal(u.limitedBy, "stated");
    assert.equal(u.workingSetBytes, null);
    assert.match(u.warnings.join(" "), /does not itemise "OS"/);
    assert.match(u.warnings.join(" "), /Metal driver, Ollama overhead, activations/);
  });

  it("a budget bound to one machine refuses another", () => {
    assert.throws(() => usableBudget(budget("seed-36gb-m3-max"), hw("apple-m4-max-36gb")), BudgetError);
  });
});

describe("templates", () => {
  it("generic GPU on the measured H100: usable VRAM (81079 MiB) minus the display placeholder", () => {
    const u = usableBudget(budget("generic-gpu"), hw("nvidia-h100-sxm-80gb"));
    assert.equal(u.totalBytes, 81079 * MiB);
    assert.equal(u.bytes, (81079 - 512) * MiB);
    assert.equal(u.limitedBy, "reservations");
    assert.deepEqual(
      u.replaced.map((i) => i.replacedByEngine),
      ["runtime-overhead"],
    );
    assert.ok(u.warnings.some((w) => /placeholder/.test(w)));
    assert.deepEqual(engineBudget(u, hw("nvidia-h100-sxm-80gb")), { bytes: (81079 - 512) * MiB, pool: "device" });
  });

  it("generic GPU on an RTX 4090 (nominal 24 GiB)", () => {
    assert.equal(usableBudget(budget("generic-gpu"), hw("nvidia-rtx-4090")).bytes, 24 * GiB - 512 * MiB);
  });

  it("Apple default working set: the measured M4 16 GB reading (11453.25 MB)", () => {
    const u = usableBudget(budget("apple-metal-default"), hw("apple-m4-16gb"));
    assert.equal(u.bytes, 11453.25e6);
    assert.equal(u.workingSetKind, "measured");
    assert.equal(u.freeAfterReservationsBytes, 16 * GiB);
    assert.deepEqual(engineBudget(u, hw("apple-m4-16gb")), {
      bytes: 16 * GiB,
      pool: "total",
      device_limit_bytes: 11453.25e6,
    });
  });

  it("Apple default working set on a 128 GiB M5 Max under macOS 26 (107.52 GiB measured)", () => {
    const u = usableBudget(budget("apple-metal-default"), hw("apple-m5-max-128gb"));
    assert.equal(u.bytes, Math.round(107.52 * GiB));
  });

  it("refuses a template without hardware, and a wired limit off Apple Silicon or not in whole MiB", () => {
    assert.throws(() => usableBudget(budget("generic-gpu"), null), /pick a machine/);
    assert.throws(
      () => usableBudget(budget("generic-gpu"), hw("nvidia-rtx-4090"), { wiredLimitMiB: 20000 }),
      /Apple Silicon only/,
    );
    assert.throws(
      () => usableBudget(budget("apple-metal-default"), hw("apple-m4-16gb"), { wiredLimitMiB: 1.5 }),
      /whole number/,
    );
  });
});

describe("hardware data", () => {
  it("every Apple configuration has a working-set limit below its memory, and the wired-limit lever", () => {
    for (const h of catalog.hardware.filter((x) => x.vendor === "apple")) {
      assert.ok(h.metalWorkingSet && h.metalWorkingSet.bytes < h.memoryBytes, h.id);
      assert.equal(h.wiredLimitSysctl, "iogpu.wired_limit_mb");
    }
  });

  it("estimates follow the rule of thumb: 2/3 up to 36 GB, 3/4 above", () => {
    for (const h of catalog.hardware.filter((x) => x.metalWorkingSet?.kind === "estimated")) {
      const frac = h.memoryBytes <= 36 * GiB ? 2 / 3 : 3 / 4;
      assert.equal(h.metalWorkingSet!.bytes, Math.round(h.memoryBytes * frac), h.id);
    }
  });

  it("the H100 entry carries the measured 81559 MiB total and 480 MiB driver reserve", () => {
    const u = hw("nvidia-h100-sxm-80gb").usableMemory!;
    assert.deepEqual(
      [u.totalBytes, u.reservedBytes, u.usableBytes, u.kind],
      [81559 * MiB, 480 * MiB, 81079 * MiB, "measured"],
    );
  });
});
