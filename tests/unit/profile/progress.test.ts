import assert from "node:assert/strict";
import { test } from "node:test";
import { TerminalProgress, bar } from "../../../scripts/profile/progress.ts";
import type { Step } from "../../../scripts/profile/plan.ts";
import type { StepResult } from "../../../scripts/profile/types.ts";

function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  let buf = "";
  const stream = { columns: 200, write: (s: string) => ((buf += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => buf };
}

const step: Step = {
  index: 0,
  name: "m_ctx-2048_k-q8_0_v-q8_0_fa-on",
  n_ctx: 2048,
  n_ctx_seq: 2048,
  type_k: "q8_0",
  type_v: "q8_0",
  flash_attn: "on",
  n_seq: 1,
  n_ubatch: 512,
  n_batch: 512,
  fill_tokens: 1984,
  gen_tokens: 16,
};
const result: StepResult = {
  step,
  status: "ok",
  startUtc: "",
  endUtc: "",
  wallS: 2.5,
  filled: 1984,
  fillS: 0.5,
  generated: 16,
  genS: 0.1,
  kvMiB: 2.12,
  peakRssBytes: 200 * 1048576,
  command: "",
  exitCode: 0,
};

test("the bar shows configurations done out of total", () => {
  assert.equal(bar(0, 4, 8), "[--------]");
  assert.equal(bar(1, 4, 8), "[##------]");
  assert.equal(bar(4, 4, 8), "[########]");
});

test("on a TTY one line is redrawn with the step, its phase and the fill rate", () => {
  const s = sink();
  const p = new TerminalProgress(s.stream, true);
  p.stepStarted(step, 3);
  p.phase("filling");
  p.fill(1024, 1984, 3968.4);
  const last = s.text().split("\r\x1b[2K").at(-1)!;
  assert.equal(last, "[--------------------] 0/3  ctx 2048 q8_0/q8_0  filling: 1024/1984 tokens, 3968 t/s");
  p.stepFinished(result);
  assert.ok(
    s
      .text()
      .endsWith(
        "\r\x1b[2K1/3 m_ctx-2048_k-q8_0_v-q8_0_fa-on: ok, KV 2.12 MiB, peak RSS 200.00 MiB, fill 3968 t/s (2.5 s)\n",
      ),
  );
});

test("off a TTY only finished steps are printed, one plain line each", () => {
  const s = sink();
  const p = new TerminalProgress(s.stream, false);
  p.stepStarted(step, 3);
  p.phase("filling");
  p.fill(1024, 1984, 100);
  assert.equal(s.text(), "");
  p.stepFinished({ ...result, status: "did-not-fit", message: "did not fit during context creation" });
  assert.equal(s.text(), "1/3 m_ctx-2048_k-q8_0_v-q8_0_fa-on: did-not-fit — did not fit during context creation\n");
});
