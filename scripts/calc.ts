/**
 * `npm run calc -- [options]`: memory breakdown of a model at a context, and the largest context
 * for a budget. Exit codes: 0 ok, 1 model cannot be sized / bad model input, 2 usage error.
 */
import { printable } from "../src/lib/printable.ts";
import type { RuntimeConfig } from "../src/schemas/runtime-config.ts";
import { KV_TYPES } from "../src/schemas/kv-type.ts";
import type { KvType } from "../src/schemas/kv-type.ts";
import { computeBreakdown, EngineError } from "../src/lib/engine/index.ts";
import type { Budget } from "../src/lib/engine/index.ts";
import { answerBudget, budgetJson, renderBudgetAnswer } from "./calc/budget-output.ts";
import type { BudgetAnswer } from "./calc/budget-output.ts";
import { join } from "node:path";
import { loadModel, ModelLoadError } from "./calc/load-model.ts";
import { REPO_ROOT } from "./lib/repo-root.ts";
import { machineBudget } from "./calc/machine-budget.ts";
import { chooseWeights, ZERO_WEIGHTS_BUDGET } from "./calc/default-weights.ts";
import type { MachineBudget } from "./calc/machine-budget.ts";
import { readPresets, renderList, takeList } from "./calc/presets.ts";
import { HELP } from "./calc/help.ts";
import { parseCalcArgs, toConfig, UsageError } from "./calc/options.ts";
import type { Args } from "./calc/options.ts";
import { render } from "./calc/render.ts";
import { toPlacement, PlacementUsageError } from "./calc/placement-options.ts";
import { defaultPlacement, renderPlacement, runFit, runPlacement, tableFor } from "./calc/placement-run.ts";
import type { Placement } from "../src/schemas/placement.ts";
import { loadVision, renderVision } from "./calc/vision-output.ts";
import { draftLargest, renderDraft, renderDraftLargest, sizeDraft } from "./calc/draft-output.ts";
import { cliSuggestions, readQuants, renderSuggestions, suggestionsJson } from "./calc/suggestions-output.ts";
import type { CliSuggestions } from "./calc/suggestions-output.ts";

export async function main(argv: readonly string[]): Promise<number> {
  let args: Args;
  let config: RuntimeConfig;
  let placement: Placement | null;
  let machine: MachineBudget | null = null;
  try {
    const listing = takeList(argv);
    args = parseCalcArgs(listing.rest);
    if (args.help) {
      console.log(HELP);
      return 0;
    }
    if (listing.list) {
      console.log(renderList(readPresets(join(REPO_ROOT, "data")), listing.filter));
      return 0;
    }
    if (!args.model)
      throw new UsageError("--model is required (a preset id or name, an Ollama tag, arch .json, .gguf or https URL)");
    if (args.hardware !== null) {
      if (args.budget !== null) throw new UsageError("--hardware and --budget both set the budget: give one");
      machine = machineBudget(join(REPO_ROOT, "data"), args.hardware);
      args.config.backend ??= machine.backend;
    }
    config = toConfig(args.config);
    placement = args.placement ? toPlacement(args.placement) : null;
  } catch (e) {
    if (e instanceof UsageError || e instanceof PlacementUsageError) {
      console.error(`calc: ${printable(e.message)}`);
      return 2;
    }
    throw e;
  }
  try {
    const m = await loadModel(args.model, {
      ggufFile: args.ggufFile,
      ftype: config.weights_ftype ?? null,
      hfEndpoint: args.hfEndpoint,
      ollamaRegistry: args.ollamaRegistry,
    });
    // --weights, else the tag's suffix, else the preset's default variant; a bare architecture has none (0 B, said).
    const weights = chooseWeights(
      m,
      config.weights_ftype ?? m.tagFtype ?? null,
      config.weights_ftype ? "--weights" : (m.tagFtypeBasis ?? "the tag"),
    );
    config = { ...config, weights_ftype: weights.ftype };
    const opts = { tensors: m.tensors, tensors_ftype: m.tensorsFtype };
    const b = computeBreakdown(m.architecture, config, opts);
    const vision = await loadVision(
      { mmproj: args.mmproj ?? null, images: args.images ?? 1, offload: !args.noMmprojOffload, image: args.image },
      args.images !== undefined || args.mmproj ? (m.projector ?? null) : null,
    );
    const draft = args.draft ? await sizeDraft(args.draft, config) : null;
    const table = tableFor(m.architecture, config, m.tensors);
    const devices = placement ?? defaultPlacement(config);
    const fit = args.fit ? runFit(m.architecture, config, devices, table, args.fit) : null;
    const placed = fit ? fit.placement : runPlacement(m.architecture, config, devices, table);
    let budgetOut: BudgetAnswer | null = null;
    let suggested: CliSuggestions | null = null;
    const refuseBudget = (args.budget !== null || machine !== null) && weights.zero && !args.weightsZero;
    if ((args.budget !== null || machine) && !refuseBudget) {
      const budget: Budget = machine
        ? { ...machine.budget, ...(args.pool ? { pool: args.pool } : {}) }
        : { bytes: args.budget!, pool: args.pool ?? undefined };
      const types: KvType[] = KV_TYPES.filter((t) =>
        config.engine.name === "turboquant" ? true : !t.startsWith("turbo"),
      );
      budgetOut = answerBudget(m.architecture, config, budget, machine?.label ?? null, types, opts);
      const q = { arch: m.architecture, tensors: m.tensors, tensorsFtype: m.tensorsFtype, modelId: args.model };
      const asked = { config, breakdown: b, budget, largestCtx: budgetOut.asked.nCtx };
      // the calculator's suggestions size the model alone (not a draft model or a projector beside it)
      if (!draft && !vision) suggested = cliSuggestions({ ...q, ...asked }, readQuants(join(REPO_ROOT, "data")));
    }
    const draftCtx =
      draft && budgetOut
        ? draftLargest(draft, m.architecture, config, budgetOut.budget, opts, budgetOut.asked.nCtx)
        : null;
    if (args.json) {
      const obj: Record<string, unknown> = { ...b, buffers: placed.buffers, devices: placed.devices };
      if (args.fit)
        obj.fit = fit
          ? {
              n_ctx: fit.n_ctx,
              n_gpu_layers: fit.n_gpu_layers,
              n_cpu_moe: fit.n_cpu_moe,
              tensor_split: fit.tensor_split,
              flags: fit.flags,
            }
          : null;
      if (weights.line) obj.weights_choice = weights.line;
      if (m.notes?.length) obj.import_notes = m.notes;
      if (vision) obj.vision = vision;
      if (draft) obj.draft = { ...draft, side: undefined };
      if (draftCtx) obj.draft_largest_context = draftCtx;
      if (budgetOut) obj.budget = budgetJson(budgetOut);
      if (suggested) Object.assign(obj, suggestionsJson(suggested));
      console.log(JSON.stringify(obj, null, 2));
    } else {
      for (const n of m.notes ?? []) console.log(n);
      if (weights.line) console.log(weights.line);
      // a GGUF's general.name and the file name come from the file: no raw control characters
      console.log(printable(render(b, config, m.source)));
      if (vision) console.log(`\n${renderVision(vision, b.total.bytes, b.context.allocated_cells)}`);
      if (draft) console.log(`\n${renderDraft(draft, b.total.bytes)}`);
      if (args.fit)
        console.log(`\nfit: ${fit ? fit.flags.join(" ") : "nothing fits, not even -ngl 0 at the minimum context"}`);
      if (placement || args.fit) console.log(`\n${renderPlacement(placed)}`);
      if (budgetOut) {
        console.log("");
        console.log(renderBudgetAnswer(budgetOut));
        for (const n of machine?.notes ?? []) console.log(`  note: ${n}`);
        if (draftCtx) console.log(renderDraftLargest(draftCtx));
        if (suggested) console.log(renderSuggestions(suggested, config.n_ctx));
      }
      if (!args.config.n_seq && !args.config.kv_unified)
        console.log("(llama-cli semantics: n_seq 1, KV not unified; use --parallel/--unified for a server)");
    }
    if (refuseBudget) {
      console.error(`calc: ${ZERO_WEIGHTS_BUDGET}`);
      return 1;
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`calc: ${printable(e.message)}`);
      return 2;
    }
    if (e instanceof EngineError || e instanceof ModelLoadError) {
      console.error(`calc: ${printable(e.message)}`);
      return 1;
    }
    throw e;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
