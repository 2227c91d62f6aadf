/**
 * Child processes the profile started (llama-server, samplers). Every one is registered here so
 * that no exit path leaves an orphan: normal stops go through `stopChild` (SIGTERM, then SIGKILL
 * after a timeout), and a last-resort `exit` hook SIGKILLs whatever is still alive.
 */
import type { ChildProcess } from "node:child_process";

const live = new Set<ChildProcess>();
let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  });
}

export function track(child: ChildProcess): ChildProcess {
  hook();
  live.add(child);
  child.once("exit", () => live.delete(child));
  return child;
}

export interface StopResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when SIGTERM was not enough. */
  killed: boolean;
}

/** Wait for a child's exit (already exited: resolves at once). */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** SIGTERM, wait up to `timeoutMs`, then SIGKILL; resolves once the process is gone. */
export async function stopChild(child: ChildProcess, timeoutMs: number): Promise<StopResult> {
  const done = exited(child);
  if (child.exitCode !== null || child.signalCode !== null) return { ...(await done), killed: false };
  child.kill("SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    done.then(() => false),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(true), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (!timedOut) return { ...(await done), killed: false };
  child.kill("SIGKILL");
  return { ...(await done), killed: true };
}

/** Stop every live child (Ctrl-C, errors). */
export async function stopAll(timeoutMs: number): Promise<void> {
  await Promise.all([...live].map((c) => stopChild(c, timeoutMs)));
}
