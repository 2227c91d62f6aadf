/**
 * The home page's three example questions, each a calculator permalink (upstream llama.cpp, the
 * machine's own budget). The browser suite opens each and checks the answer against the engine.
 */
import { DEFAULT_STATE, stateToQuery, type CalcState } from "./state.ts";

export interface ExampleQuestion {
  id: string;
  question: string;
  state: CalcState;
}

const upstream = (patch: Partial<CalcState>): CalcState => ({
  ...DEFAULT_STATE,
  engine: "llama.cpp",
  revision: "current",
  typeK: "f16",
  typeV: "f16",
  ...patch,
});

export const EXAMPLE_QUESTIONS: readonly ExampleQuestion[] = [
  {
    id: "qwen3-14b-m3-max",
    question: "How much context does Qwen3-14B get on a 36 GB M3 Max with a q8_0 K/V cache?",
    state: upstream({
      model: "qwen3-14b",
      hardware: "apple-m3-max-36gb",
      budget: "apple-metal-default",
      backend: "metal",
      typeK: "q8_0",
      typeV: "q8_0",
    }),
  },
  {
    id: "llama-70b-4090",
    question: "Does Llama 3.1 70B (Q4_K_M) fit a 24 GB RTX 4090 at 32K, and if not, what does?",
    state: upstream({ model: "llama-3.1-70b", hardware: "nvidia-rtx-4090", budget: "generic-gpu", backend: "cuda" }),
  },
  {
    id: "gpt-oss-20b-16gb",
    question: "Does gpt-oss-20b run at 128K on a 16 GB GPU?",
    state: upstream({
      model: "gpt-oss-20b",
      hardware: "nvidia-rtx-4080",
      budget: "generic-gpu",
      backend: "cuda",
      ctx: 131072,
    }),
  },
];

export function exampleQuery(e: ExampleQuestion): string {
  return stateToQuery(e.state, DEFAULT_STATE);
}
