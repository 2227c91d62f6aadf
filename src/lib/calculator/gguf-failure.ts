/**
 * Why a GGUF URL could not be read, and what the calculator does about it. A load that fails
 * for an ordinary reason (the network, the server's answer, a file that is not a GGUF, an
 * architecture the reader does not map) keeps the user's configuration: the question they were
 * asking is still theirs. A header whose declared sizes exceed src/schemas/limits.ts is hostile
 * input, and the calculator falls back to the default model (issue 13). Pure.
 */

export type GgufFailureKind = "network" | "http" | "not-gguf" | "over-limit" | "other";

export interface GgufFailure {
  kind: GgufFailureKind;
  /** One line for the notice list, naming the URL and the reason. */
  notice: string;
  /** True: restore the configuration from before the load; false: the default model. */
  keepConfig: boolean;
}

/** The error a fetch raises for a failed request (no HTTP answer at all): a TypeError. */
function isNetworkError(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e instanceof Error && i < 4; e = e.cause, i++)
    if (e instanceof TypeError || /failed to fetch|fetch failed|networkerror|load failed/i.test(e.message)) return true;
  return false;
}

const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export function classifyGgufFailure(url: string, err: unknown): GgufFailure {
  const msg = messageOf(err);
  if (/ is above the limit of \d+/.test(msg))
    return {
      kind: "over-limit",
      notice: `Could not read ${url}: ${msg}. Showing the default model.`,
      keepConfig: false,
    };
  const http = /HTTP (\d{3})/.exec(msg);
  if (http)
    return {
      kind: "http",
      notice: `Could not read ${url}: the server answered HTTP ${http[1]}${http[1] === "404" ? " (not found)" : ""}. Your settings are unchanged.`,
      keepConfig: true,
    };
  if (/not a GGUF file/.test(msg))
    return {
      kind: "not-gguf",
      notice: `Could not read ${url}: it is not a GGUF file (it does not start with "GGUF"). Your settings are unchanged.`,
      keepConfig: true,
    };
  if (isNetworkError(err))
    return {
      kind: "network",
      notice: `Could not read ${url}: network error (offline, the host unreachable, or the server does not allow cross-origin range requests). Your settings are unchanged.`,
      keepConfig: true,
    };
  return { kind: "other", notice: `Could not read ${url}: ${msg}. Your settings are unchanged.`, keepConfig: true };
}
