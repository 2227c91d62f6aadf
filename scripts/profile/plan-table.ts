/** What the profile prints: the plan table, the command per step, and measured KV against the engine. */
import type { ProfileOptions } from "./args.ts";
import { printfMiB2 } from "./outcome.ts";
import type { Step } from "./plan.ts";
import type { Prediction } from "./predict.ts";
import type { StepResult } from "./types.ts";

/** The command that reproduces one step with the embedded runner. */
export function stepCommand(o: ProfileOptions, s: Step): string {
  const parts = [
    "npm run profile --",
    `--model ${o.model}`,
    `--ctx ${s.n_ctx}`,
    `--kv ${s.type_k}/${s.type_v}`,
    `--fa ${s.flash_attn}`,
    `--parallel ${s.n_seq}`,
    `--ubatch ${s.n_ubatch}`,
    `--fill ${s.fill_tokens}`,
    `--gen ${s.gen_tokens}`,
  ];
  if (o.gpu !== "auto") parts.push(`--gpu ${o.gpu}`);
  if (o.threads) parts.push(`--threads ${o.threads}`);
  return parts.join(" ");
}

function fmtMiB(bytes: number | undefined): string {
  return bytes === undefined ? "—" : `${printfMiB2(bytes)} MiB`;
}

/** The plan table printed by --dry-run and before a run. */
export function planTable(
  steps: readonly Step[],
  preds: readonly Prediction[],
  verdicts: readonly { fits: boolean; reason: string }[],
): string {
  const rows = steps.map((s, i) => {
    const b = preds[i].breakdown;
    return [
      String(i + 1),
      s.name,
      String(s.n_ctx),
      `${s.type_k}/${s.type_v}`,
      String(s.fill_tokens),
      b ? fmtMiB(b.kv.bytes + b.recurrent.bytes) : "—",
      b ? fmtMiB(b.compute.bytes) : "—",
      b ? fmtMiB(preds[i].contextHostBytes + preds[i].contextDeviceBytes) : "—",
      b ? fmtMiB(b.total.bytes) : "—",
      verdicts[i].fits ? "yes" : "NO (skip)",
    ];
  });
  const head = [
    "#",
    "case",
    "n_ctx",
    "K/V",
    "fill",
    "KV+RS (exact)",
    "compute (est.)",
    "context (est.)",
    "total (est.)",
    "fits",
  ];
  const all = [head, ...rows];
  const w = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const right = new Set([0, 2, 4, 5, 6, 7, 8]);
  return all
    .map((r) =>
      r
        .map((x, c) => (right.has(c) ? x.padStart(w[c]) : x.padEnd(w[c])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** One line per measured step: the KV size lines as printed against the engine's bytes printed the same way. */
export function kvComparison(results: readonly StepResult[], preds: readonly Prediction[]): string[] {
  const out: string[] = [];
  for (const r of results) {
    const p = preds[r.step.index];
    if (r.status !== "ok" || !r.kvPrinted?.length || !p?.breakdown) continue;
    const want = p.breakdown.kv.caches.map((c) => printfMiB2(c.bytes));
    const got = r.kvPrinted;
    const same = want.length === got.length && want.every((w, i) => w === got[i]);
    out.push(
      `${r.step.name}: KV measured ${got.join(" + ")} MiB, engine ${want.join(" + ")} MiB${same ? " (equal)" : "  <-- DIFFERS"}`,
    );
  }
  return out;
}
