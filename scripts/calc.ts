/**
 * `npm run calc -- [options]`: memory breakdown of a model at a context, and the largest context
 * for a budget. Exit codes: 0 ok, 1 model cannot be sized / bad model input, 2 usage error.
 */
import { printable } from "../src/lib/printable.ts";
import { formatBinary } from "../src/lib/format.ts";
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
import {
  budgetPlacement,
  cliExtras,
  defaultPlacement,
  renderPlacement,
  runFit,
  runPlacement,
  tableFor,
} from "./calc/placement-run.ts";
import type { Placement } from "../src/schemas/placement.ts";
import { loadVision, renderVision } from "./calc/vision-output.ts";
import { draftLargest, renderDraft, renderDraftLargest, sizeDraft } from "./calc/draft-output.ts";
import { cliSuggestions, readQuants, renderSuggestions, suggestionsJson } from "./calc/suggestions-output.ts";
import type { CliSuggestions } from "./calc/suggestions-output.ts";
import { answerPlaced, placedJson, renderPlaced } from "./calc/placed-output.ts";
import type { PlacedAnswer } from "./calc/placed-output.ts";
import { cliPlacedSuggestions, unifiedVerdict } from "./calc/placed-suggestions.ts";

/** What the command line asks, once parsed and checked (before any model is loaded). */
interface Invocation {
  args: Args;
  /** --model, checked present */
  model: string;
  config: RuntimeConfig;
  placement: Placement | null;
  machine: MachineBudget | null;
  /** The placement's one device is the budget's (placement flags with --hardware/--budget, no --devices). */
  fromBudget: Budget | null;
}

/** Parse and check argv; a number is the exit code of an answered --help/--list. Throws UsageError. */
function parseInvocation(argv: readonly string[]): Invocation | number {
  const listing = takeList(argv);
  const args = parseCalcArgs(listing.rest);
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
  let machine: MachineBudget | null = null;
  if (args.hardware !== null) {
    if (args.budget !== null) throw new UsageError("--hardware and --budget both set the budget: give one");
    machine = machineBudget(join(REPO_ROOT, "data"), args.hardware);
    args.config.backend ??= machine.backend;
  }
  const config = toConfig(args.config);
  const given = args.placement ? toPlacement(args.placement) : null;
  const budget: Budget | null = machine
    ? { ...machine.budget, ...(args.pool ? { pool: args.pool } : {}) }
    : args.budget !== null
      ? { bytes: args.budget, pool: args.pool ?? undefined }
      : null;
  const placed = given && budget ? budgetPlacement(given, budget, config) : null;
  if (given && budget && !placed && given.devices.length === 0 && config.backend !== "cpu")
    throw new UsageError(noDeviceForBudget(budget, config));
  const placement = placed ?? given;
  return { args, model: args.model, config, placement, machine, fromBudget: placed ? budget : null };
}

/** Why placement flags with this budget (a shared pool off Metal) have no device to place on. */
function noDeviceForBudget(budget: Budget, config: RuntimeConfig): string {
  const pool = budget.pool ?? "total";
  return `placement flags with a ${pool}-pool budget on ${config.backend} have no device to place on: the budget does not say how much of it is the GPU's. Give --devices ${config.backend}:<size> (and --host-memory <RAM>), or --pool device for one GPU of the budget's size`;
}

type Loaded = Awaited<ReturnType<typeof loadModel>>;
type Weights = ReturnType<typeof chooseWeights>;
type Fit = ReturnType<typeof runFit>;

/** Everything one invocation prints, computed before any of it is printed. */
interface Answer {
  m: Loaded;
  weights: Weights;
  config: RuntimeConfig;
  b: ReturnType<typeof computeBreakdown>;
  vision: Awaited<ReturnType<typeof loadVision>>;
  draft: Awaited<ReturnType<typeof sizeDraft>> | null;
  fit: Fit | null;
  placed: ReturnType<typeof runPlacement>;
  budgetOut: BudgetAnswer | null;
  suggested: CliSuggestions | null;
  draftCtx: ReturnType<typeof draftLargest> | null;
  /** --devices/--rpc without --fit: the largest context for the placement as given. */
  asSet: PlacedAnswer | null;
  /** …and the calculator's PC suggestions for it (the model alone: not with a draft or projector). */
  pcSuggested: CliSuggestions | null;
  refuseBudget: boolean;
}

/** The budget's answer (largest context per KV type) and the calculator's suggestions, when a budget is set. */
function budgetPart(
  inv: Invocation,
  m: Loaded,
  config: RuntimeConfig,
  b: Answer["b"],
  sidecars: boolean,
): { budgetOut: BudgetAnswer; suggested: CliSuggestions | null } {
  const { args, machine } = inv;
  const budget: Budget = machine
    ? { ...machine.budget, ...(args.pool ? { pool: args.pool } : {}) }
    : { bytes: args.budget!, pool: args.pool ?? undefined };
  const types: KvType[] = KV_TYPES.filter((t) => (config.engine.name === "turboquant" ? true : !t.startsWith("turbo")));
  const opts = { tensors: m.tensors, tensors_ftype: m.tensorsFtype };
  const budgetOut = answerBudget(m.architecture, config, budget, machine?.label ?? null, types, opts);
  const q = { arch: m.architecture, tensors: m.tensors, tensorsFtype: m.tensorsFtype, modelId: inv.model };
  const asked = { config, breakdown: b, budget, largestCtx: budgetOut.asked.nCtx };
  // the calculator's suggestions size the model alone (not a draft model or a projector beside it)
  const suggested = sidecars ? null : cliSuggestions({ ...q, ...asked }, readQuants(join(REPO_ROOT, "data")));
  return { budgetOut, suggested };
}

/** Load the model and compute the breakdown, placement, fit, budget answer, vision and draft. */
async function computeAnswer(inv: Invocation): Promise<Answer> {
  const { args, machine } = inv;
  const m = await loadModel(inv.model, {
    ggufFile: args.ggufFile,
    ftype: inv.config.weights_ftype ?? null,
    hfEndpoint: args.hfEndpoint,
    ollamaRegistry: args.ollamaRegistry,
  });
  // --weights, else the tag's suffix, else the preset's default variant; a bare architecture has none (0 B, said).
  const weights = chooseWeights(
    m,
    inv.config.weights_ftype ?? m.tagFtype ?? null,
    inv.config.weights_ftype ? "--weights" : (m.tagFtypeBasis ?? "the tag"),
  );
  const config = { ...inv.config, weights_ftype: weights.ftype };
  const opts = { tensors: m.tensors, tensors_ftype: m.tensorsFtype };
  const b = computeBreakdown(m.architecture, config, opts);
  const vision = await loadVision(
    { mmproj: args.mmproj ?? null, images: args.images ?? 1, offload: !args.noMmprojOffload, image: args.image },
    args.images !== undefined || args.mmproj ? (m.projector ?? null) : null,
  );
  const draft = args.draft ? await sizeDraft(args.draft, config) : null;
  const table = tableFor(m.architecture, config, m.tensors);
  const devices = inv.placement ?? defaultPlacement(config);
  // a projector and a draft share the devices: the placement, the fit and the placed context count them
  const extras = cliExtras(vision, draft);
  const fit = args.fit ? runFit(m.architecture, config, devices, table, args.fit, extras) : null;
  const placed = fit ? fit.placement : runPlacement(m.architecture, config, devices, table, extras);
  const asSet = inv.placement && !fit ? answerPlaced(m.architecture, config, inv.placement, table, extras) : null;
  const q = { arch: m.architecture, tensors: m.tensors, tensorsFtype: m.tensorsFtype, modelId: inv.model, config };
  const unified = asSet && inv.placement!.unified && inv.fromBudget ? unifiedVerdict(placed, inv.fromBudget) : null;
  const pcSuggested =
    unified ??
    (asSet && !draft && !vision ? cliPlacedSuggestions(q, inv.placement!, readQuants(join(REPO_ROOT, "data"))) : null);
  const hasBudget = args.budget !== null || machine !== null;
  const refuseBudget = hasBudget && weights.zero && !args.weightsZero;
  // with the budget as the placement's device, the verdict and largest context are the placement's
  const { budgetOut, suggested } =
    hasBudget && !refuseBudget && !inv.fromBudget
      ? budgetPart(inv, m, config, b, !!draft || !!vision)
      : { budgetOut: null, suggested: null };
  const draftCtx =
    draft && budgetOut
      ? draftLargest(draft, m.architecture, config, budgetOut.budget, opts, budgetOut.asked.nCtx)
      : null;
  return {
    m,
    weights,
    config,
    b,
    vision,
    draft,
    fit,
    placed,
    budgetOut,
    suggested,
    draftCtx,
    asSet,
    pcSuggested,
    refuseBudget,
  };
}

/** --json: the breakdown with every optional part that was asked for. */
function printJson(a: Answer, args: Args): void {
  const { fit } = a;
  const obj: Record<string, unknown> = { ...a.b, buffers: a.placed.buffers, devices: a.placed.devices };
  if (args.fit)
    obj.fit = fit
      ? {
          n_ctx: fit.n_ctx,
          n_gpu_layers: fit.n_gpu_layers,
          n_cpu_moe: fit.n_cpu_moe,
          tensor_split: fit.tensor_split,
          flags: fit.flags,
          ...(fit.llama_fit_notes.length ? { llama_fit_notes: fit.llama_fit_notes } : {}),
        }
      : null;
  if (a.weights.line) obj.weights_choice = a.weights.line;
  if (a.m.notes?.length) obj.import_notes = a.m.notes;
  if (a.vision) obj.vision = a.vision;
  if (a.draft) obj.draft = { ...a.draft, side: undefined };
  if (a.draftCtx) obj.draft_largest_context = a.draftCtx;
  if (a.budgetOut) obj.budget = budgetJson(a.budgetOut);
  if (a.suggested) Object.assign(obj, suggestionsJson(a.suggested));
  if (a.asSet) obj.placed_largest_context = placedJson(a.asSet);
  if (a.pcSuggested) obj.placed_suggestions = suggestionsJson(a.pcSuggested);
  console.log(JSON.stringify(obj, null, 2));
}

/** The text report: breakdown, then each optional part that was asked for. */
function printText(a: Answer, inv: Invocation): void {
  const { args, machine } = inv;
  for (const n of a.m.notes ?? []) console.log(n);
  if (a.weights.line) console.log(a.weights.line);
  // a GGUF's general.name and the file name come from the file: no raw control characters
  console.log(printable(render(a.b, a.config, a.m.source)));
  if (a.vision) console.log(`\n${renderVision(a.vision, a.b.total.bytes, a.b.context.allocated_cells)}`);
  if (a.draft) console.log(`\n${renderDraft(a.draft, a.b.total.bytes)}`);
  if (args.fit) {
    console.log(`\nfit: ${a.fit ? a.fit.flags.join(" ") : "nothing fits, not even -ngl 0 at the minimum context"}`);
    const beside = [a.vision ? "the projector" : "", a.draft ? "the draft model" : ""].filter(Boolean).join(" and ");
    if (a.fit && beside) console.log(`  (the split leaves room for ${beside} on the devices)`);
    for (const n of a.fit?.llama_fit_notes ?? []) console.log(`  note: ${n}`);
  }
  if (inv.fromBudget) {
    const d = inv.placement!.devices[0];
    const shared = inv.placement!.unified
      ? `; host and GPU share ${formatBinary(inv.placement!.host_bytes!)} (unified memory)`
      : "";
    console.log(
      `\nbudget ${machine?.label ?? "--budget"}: ${d.name} holds ${formatBinary(d.memory_bytes)} (usable)${shared}`,
    );
    for (const n of machine?.notes ?? []) console.log(`  note: ${n}`);
  }
  if (inv.placement || args.fit) console.log(`\n${renderPlacement(a.placed)}`);
  if (a.asSet) console.log(renderPlaced(a.asSet));
  if (a.pcSuggested) console.log(renderSuggestions(a.pcSuggested, a.config.n_ctx));
  if (a.budgetOut) {
    console.log("");
    console.log(renderBudgetAnswer(a.budgetOut));
    for (const n of machine?.notes ?? []) console.log(`  note: ${n}`);
    if (a.draftCtx) console.log(renderDraftLargest(a.draftCtx));
    if (a.suggested) console.log(renderSuggestions(a.suggested, a.config.n_ctx));
  }
  if (!args.config.n_seq && !args.config.kv_unified)
    console.log("(llama-cli semantics: n_seq 1, KV not unified; use --parallel/--unified for a server)");
}

export async function main(argv: readonly string[]): Promise<number> {
  let inv: Invocation | number;
  try {
    inv = parseInvocation(argv);
  } catch (e) {
    if (e instanceof UsageError || e instanceof PlacementUsageError) {
      console.error(`calc: ${printable(e.message)}`);
      return 2;
    }
    throw e;
  }
  if (typeof inv === "number") return inv;
  try {
    const answer = await computeAnswer(inv);
    if (inv.args.json) printJson(answer, inv.args);
    else printText(answer, inv);
    if (answer.refuseBudget) {
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
