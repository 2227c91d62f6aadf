/**
 * Progress on the terminal: on a TTY one redrawn line (configurations done / total, the current
 * step, its phase and fill rate in tokens/s); elsewhere (CI, pipes) one plain line per finished
 * step, so logs stay readable.
 */
import type { Step } from "./plan.ts";
import type { ProgressSink, StepResult } from "./types.ts";
import { formatBinary } from "../../src/lib/format.ts";

export function bar(done: number, total: number, width = 20): string {
  const n = total > 0 ? Math.round((done / total) * width) : 0;
  return `[${"#".repeat(n)}${"-".repeat(width - n)}]`;
}

export function resultLine(r: StepResult, total: number): string {
  const s = r.step;
  const head = `${s.index + 1}/${total} ${s.name}`;
  if (r.status === "ok") {
    const kv = r.kvMiB !== undefined ? `KV ${r.kvMiB.toFixed(2)} MiB` : "no KV line";
    const rss = r.peakRssBytes !== undefined ? `, peak RSS ${formatBinary(r.peakRssBytes)}` : "";
    const rate = r.fillS > 0 ? `, fill ${((r.filled * s.n_seq) / r.fillS).toFixed(0)} t/s` : "";
    return `${head}: ok, ${kv}${rss}${rate} (${r.wallS.toFixed(1)} s)`;
  }
  return `${head}: ${r.status}${r.message ? ` — ${r.message}` : ""}`;
}

export class TerminalProgress implements ProgressSink {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private total = 0;
  private step: Step | null = null;
  private phaseText = "";
  private fillText = "";
  private finished = 0;

  constructor(stream: NodeJS.WriteStream = process.stderr, tty = Boolean(stream.isTTY)) {
    this.stream = stream;
    this.tty = tty;
  }

  stepStarted(step: Step, total: number): void {
    this.total = total;
    this.step = step;
    this.phaseText = "";
    this.fillText = "";
    this.draw();
  }

  phase(text: string): void {
    this.phaseText = text;
    this.fillText = "";
    this.draw();
  }

  fill(done: number, total: number, tps: number): void {
    this.fillText = `${done}/${total} tokens${tps > 0 ? `, ${tps.toFixed(0)} t/s` : ""}`;
    this.draw();
  }

  stepFinished(r: StepResult): void {
    this.finished++;
    if (this.tty) this.stream.write("\r\x1b[2K");
    this.stream.write(`${resultLine(r, this.total)}\n`);
    this.step = null;
  }

  /** A message that must not be overwritten by the bar. */
  message(text: string): void {
    if (this.tty) this.stream.write("\r\x1b[2K");
    this.stream.write(`${text}\n`);
    this.draw();
  }

  done(): void {
    if (this.tty) this.stream.write("\r\x1b[2K");
  }

  private draw(): void {
    if (!this.tty || !this.step) return;
    const s = this.step;
    const cols = this.stream.columns || 100;
    const line = `${bar(this.finished, this.total)} ${this.finished}/${this.total}  ctx ${s.n_ctx} ${s.type_k}/${s.type_v}  ${this.phaseText}${this.fillText ? `: ${this.fillText}` : ""}`;
    this.stream.write(`\r\x1b[2K${line.slice(0, cols - 1)}`);
  }
}
