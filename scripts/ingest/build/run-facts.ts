/**
 * Run-level facts the raw outputs state (build, GPU, model, engine). Several files may state the
 * same fact: the first value wins and a later disagreement becomes a warning on the run.
 */
import type { Architecture } from "../../../src/schemas/architecture.ts";
import type { Run } from "../../../src/schemas/run.ts";
import type { DateRange } from "../build-date.ts";
import { showValue } from "../errors.ts";
import type { InputFile } from "../files.ts";

/** The idle GPU baseline picked from a measurement folder's baseline/ files. */
export interface IdleBaseline {
  bytes: number;
  what: string;
  file?: InputFile;
}

/** What each fact path holds. */
export interface FactValues {
  "runtime.llama_cpp.commit": string;
  "runtime.llama_cpp.build_number": number;
  "runtime.llama_cpp.version": string;
  "runtime.ollama_version": string;
  "runtime.backend": string;
  engine: string;
  "hardware.gpu.name": string;
  "hardware.gpu.memory_bytes": number;
  "hardware.gpu.reserved_bytes": number;
  "hardware.gpu.driver": string;
  "hardware.gpu_working_set_bytes": number;
  "hardware.unified_memory": boolean;
  "gpu.usable_mib": number;
  "model.arch": string;
  "model.name": string;
  "model.ftype": string;
  "model.log_file_size": string;
  "model.log_params": string;
  "model.architecture": Architecture;
  "model.weights_bytes": number;
  "model.params": number;
  "measurement.idle_gpu_baseline": IdleBaseline;
  date: string;
}

export type FactPath = keyof FactValues;

export class RunFacts {
  values = new Map<FactPath, unknown>();
  warnings: Run["warnings"] = [];
  /** Intersection of the build-date ranges the logs' formats imply. */
  range?: DateRange;
  narrow(r: DateRange): void {
    if (!this.range) this.range = { ...r, evidence: [...r.evidence] };
    else {
      if (r.from && (!this.range.from || r.from > this.range.from)) this.range.from = r.from;
      if (r.to && (!this.range.to || r.to < this.range.to)) this.range.to = r.to;
      for (const e of r.evidence) if (!this.range.evidence.includes(e)) this.range.evidence.push(e);
    }
  }
  set<P extends FactPath>(path: P, value: FactValues[P] | undefined | null | "", where?: string): void {
    if (value === undefined || value === null || value === "") return;
    if (!this.values.has(path)) this.values.set(path, value);
    else if (JSON.stringify(this.values.get(path)) !== JSON.stringify(value))
      this.warnings.push({
        file: where,
        message: `${path}: files disagree (${showValue(this.values.get(path))} vs ${showValue(value)}); keeping the first`,
      });
  }
  get<P extends FactPath>(path: P): FactValues[P] | undefined {
    return this.values.get(path) as FactValues[P] | undefined;
  }
}
