/**
 * The budget: machine, reported budget preset, total memory, itemised reservations, the Apple GPU
 * wired limit, and what is usable.
 */
import type { LightCatalog } from "../../../lib/calculator/catalog.ts";
import type { CalcState } from "../../../lib/calculator/state.ts";
import type { BudgetView } from "../../../lib/calculator/view.ts";
import { formatDecimal } from "../../../lib/format.ts";
import { withBase } from "../../../utils/base.ts";
import { memo } from "../../../views/calculator/memo.ts";
import type { Update } from "../../../views/calculator/use-calc-state.ts";
import { BudgetPicker, MachinePicker, Reservations, UsableLine, WiredLimit } from "./BudgetParts.tsx";
import { SizeField } from "./SizeField.tsx";

export const BudgetFieldset = memo(function BudgetFieldset(p: {
  id: string;
  light: LightCatalog;
  hardware: string;
  budgetId: string;
  items: CalcState["items"];
  wiredMiB: number | null;
  budget: BudgetView;
  /** Query of the "every model on this machine" link (/models/ with this machine and budget). */
  modelsQuery: string;
  /** The long option lists are in (options-html.ts). */
  lists: boolean;
  update: Update;
}) {
  const { id, light, budget, update } = p;
  const hw = light.hardware.find((h) => h.id === p.hardware) ?? null;
  return (
    <fieldset class="calc-fs">
      <legend>Budget</legend>
      <MachinePicker {...p} />
      <BudgetPicker {...p} />
      <SizeField
        id={`${id}-total`}
        label="Total memory"
        bytes={budget.totalBytes}
        placeholder={hw ? formatDecimal(hw.memoryBytes) : "32GB"}
        onCommit={(b) => update({ totalBytes: b })}
        help={budget.totalStatedAs ? `as stated: ${budget.totalStatedAs}` : undefined}
      />
      <Reservations id={id} items={p.items} budget={budget} update={update} />
      {budget.apple && <WiredLimit id={id} wiredMiB={p.wiredMiB} budget={budget} update={update} />}
      <UsableLine budget={budget} />
      <p class="small">
        <a href={withBase(`/models/?${p.modelsQuery}`)} data-testid="calc-models-link">
          Every model on this machine
        </a>
      </p>
    </fieldset>
  );
});
