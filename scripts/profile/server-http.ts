/** llama-server's command line, its shell quoting for command.txt, and one JSON request. */
import type { Step } from "./plan.ts";

export interface ServerOptions {
  server: string;
  model: string;
  extraArgs: string[];
  stopTimeoutMs: number;
  /** How long the server may take to load the model and answer /health. */
  loadTimeoutMs: number;
  /** Driver log (provenance/profile.log). */
  note: (text: string) => void;
}

export function serverArgs(step: Step, o: Pick<ServerOptions, "model" | "extraArgs">, port: number): string[] {
  return [
    "-m",
    o.model,
    "-c",
    String(step.n_ctx),
    "-ctk",
    step.type_k,
    "-ctv",
    step.type_v,
    "-fa",
    step.flash_attn,
    "-np",
    String(step.n_seq),
    "-ub",
    String(step.n_ubatch),
    "-b",
    String(step.n_batch),
    "-fit",
    "off",
    "--host",
    "127.0.0.1",
    "--port",
    String(port),
    ...o.extraArgs,
  ];
}

/** POSIX shell quoting, for command.txt. */
export function shellQuote(args: readonly string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}

export async function httpJson(
  url: string,
  body: unknown,
  signal: AbortSignal,
): Promise<{ status: number; json: unknown; text: string }> {
  const res = await fetch(url, {
    method: body === undefined ? "GET" : "POST",
    headers: body === undefined ? undefined : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON: keep the text for the message */
  }
  return { status: res.status, json, text };
}
