/**
 * Typed refusals of the memory engine. The engine never guesses: when a rule needs a value that
 * the architecture lacks, or a configuration llama.cpp itself rejects, it throws one of these with
 * a message naming the field / option and what was expected.
 */
export type EngineErrorCode =
  /** An architecture field needed by a rule is null/absent (`field` names it). */
  | "missing-field"
  /** An architecture field has a value the rules cannot use (wrong array length, …). */
  | "invalid-field"
  /** llama.cpp (or the chosen engine profile) rejects the configuration. */
  | "unsupported-config"
  /** A quantized cache row is not a multiple of the type's block size. */
  | "block-size";

export class EngineError extends Error {
  readonly code: EngineErrorCode;
  /** Architecture field or runtime option the error is about. */
  readonly field: string | null;
  constructor(code: EngineErrorCode, message: string, field: string | null = null) {
    super(message);
    this.name = "EngineError";
    this.code = code;
    this.field = field;
  }
}

export function missingField(field: string, why: string): EngineError {
  return new EngineError(
    "missing-field",
    `architecture field "${field}" is missing (null); it is needed ${why}`,
    field,
  );
}
