/** Parts of the budget fieldset: machine and preset pickers, reservations, the Apple wired limit, the usable line. */
import { useMemo } from "preact/hooks";
import type { LightCatalog } from "../../../lib/calculator/catalog.ts";
import { machinePatch } from "../../../lib/calculator/question.ts";
import type { CalcState } from "../../../lib/calculator/state.ts";
import type { BudgetView } from "../../../lib/calculator/view.ts";
import { formatBinary, formatDecimal } from "../../../lib/format.ts";
import { onValue } from "../../../views/calculator/input-events.ts";
import { selectHtml } from "../../../views/calculator/options-html.ts";
import type { Update } from "../../../views/calculator/use-calc-state.ts";
import { SizeField } from "./SizeField.tsx";

interface PickerProps {
  id: string;
  light: LightCatalog;
  hardware: string;
  budgetId: string;
  budget: BudgetView;
  /** The long option lists are in (options-html.ts). */
  lists: boolean;
  update: Update;
}

/** The machine: picks the hardware (and the budget and backend that go with it). */
export function MachinePicker(p: PickerProps) {
  const { id, light } = p;
  const hw = light.hardware.find((h) => h.id === p.hardware) ?? null;
  const onHardware = (hid: string) => p.update(machinePatch(light.hardware, light.budgets, p.budgetId, hid));
  // The options as one HTML string, made once per catalog once the lists are in (options-html.ts).
  const html = useMemo(
    () =>
      selectHtml(
        [
          { value: "", text: "none: use the budget's stated total" },
          ...["apple", "nvidia", "amd"].map((v) => ({
            label: v === "apple" ? "Apple Silicon" : v === "nvidia" ? "NVIDIA" : "AMD",
            options: light.hardware.filter((h) => h.vendor === v).map((h) => ({ value: h.id, text: h.name })),
          })),
        ],
        p.hardware,
        p.lists,
      ),
    [light.hardware, p.lists, p.lists || p.hardware],
  );
  return (
    <div class="calc-field">
      <label for={`${id}-hw`}>Machine</label>
      <select id={`${id}-hw`} value={p.hardware} onChange={onValue(onHardware)} dangerouslySetInnerHTML={html} />
      {!hw && (
        <span class="calc-help">
          Pick your Mac to hold the GPU buffers to its Metal working-set limit (and see the iogpu.wired_limit_mb lever).
        </span>
      )}
    </div>
  );
}

/** The budget preset: a reported budget (its hardware and backend come with it). */
export function BudgetPicker(p: PickerProps) {
  const { id, light, budget, update } = p;
  const onBudget = (bid: string) => {
    const b = light.budgets.find((x) => x.id === bid);
    const patch: Partial<CalcState> = { budget: bid, items: {}, totalBytes: null };
    if (b?.hardwareId) {
      patch.hardware = b.hardwareId;
      const h = light.hardware.find((x) => x.id === b.hardwareId);
      if (h) patch.backend = h.vendor === "apple" ? "metal" : "cuda";
    }
    update(patch);
  };
  const options = useMemo(
    () =>
      light.budgets.map((b) => (
        <option key={b.id} value={b.id}>
          {b.name}
        </option>
      )),
    [light.budgets],
  );
  return (
    <div class="calc-field">
      <label for={`${id}-budget`}>Budget preset</label>
      <select id={`${id}-budget`} value={p.budgetId} onChange={onValue(onBudget)}>
        {options}
      </select>
      {budget.quote && <span class="calc-help">Source: “{budget.quote}”</span>}
    </div>
  );
}

/** The budget's itemised reservations, each editable. */
export function Reservations(p: { id: string; items: CalcState["items"]; budget: BudgetView; update: Update }) {
  const { id, budget, update } = p;
  return (
    <ul class="calc-items" aria-label="Reservations">
      {budget.items.map((it) => (
        <li key={it.index}>
          <SizeField
            id={`${id}-item-${it.index}`}
            label={it.label}
            bytes={it.bytes}
            placeholder={it.statedAs ?? "amount"}
            onCommit={(b) => {
              const items = { ...p.items };
              if (b === null) delete items[String(it.index)];
              else items[String(it.index)] = b;
              update({ items });
            }}
            help={
              it.replacedBy
                ? `not subtracted: the engine's ${it.replacedBy === "compute" ? "compute estimate" : "runtime overhead"} counts it`
                : it.bytes === null
                  ? "no amount stated by the source"
                  : it.estimated
                    ? "placeholder: edit for your machine"
                    : undefined
            }
          />
        </li>
      ))}
    </ul>
  );
}

/** Apple: the GPU wired limit (iogpu.wired_limit_mb) and what it does. */
export function WiredLimit(p: { id: string; wiredMiB: number | null; budget: BudgetView; update: Update }) {
  const { id, budget, update } = p;
  return (
    <div class="calc-field calc-field--inline">
      <label for={`${id}-wired`}>GPU wired limit (iogpu.wired_limit_mb, MiB)</label>
      <input
        id={`${id}-wired`}
        type="number"
        min={1024}
        step={1024}
        placeholder={budget.defaultWorkingSetBytes ? String(Math.round(budget.defaultWorkingSetBytes / 1048576)) : ""}
        value={p.wiredMiB ?? ""}
        onChange={onValue((v) => update({ wiredMiB: v === "" ? null : Math.max(1024, Math.round(Number(v))) }))}
      />
      <span class="calc-help">
        macOS lets the GPU wire only its working set (
        {budget.defaultWorkingSetBytes
          ? `${formatBinary(budget.defaultWorkingSetBytes)} on this Mac`
          : "about 2/3 of RAM"}
        , {budget.defaultWorkingSetKind ?? "estimated"}). <code>sudo sysctl iogpu.wired_limit_mb=&lt;MiB&gt;</code>{" "}
        raises it until the next reboot; leave the OS several GB: going past a safe limit kernel-panicked a 32 GB M1 Max
        twice.
      </span>
    </div>
  );
}

/** What is usable and what limits it, with the budget's warnings. */
export function UsableLine({ budget }: { budget: BudgetView }) {
  return (
    <>
      <p class="calc-help" data-testid="calc-budget-usable">
        {budget.error
          ? `Budget: ${budget.error}`
          : `Usable: ${formatBinary(budget.usableBytes ?? 0)} (${formatDecimal(budget.usableBytes ?? 0)}), limited by ${
              budget.limitedBy === "working-set"
                ? "the GPU working set"
                : budget.limitedBy === "stated"
                  ? "the source's stated result"
                  : "the reservations"
            }.`}
      </p>
      {budget.warnings.length > 0 && (
        <ul class="calc-help">
          {budget.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
    </>
  );
}
