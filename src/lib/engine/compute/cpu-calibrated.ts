/**
 * The architectures whose CPU compute model (compute/cpu.ts) is checked against llama.cpp's own
 * graph reservations: every `arch` of tests/fixtures/compute (llama-fit-params in no-allocation
 * mode, llama.cpp de3ff81; docs/memory-model.md#compute-cpu). The unit test keeps this list equal
 * to the fixtures' architectures. For these the CPU compute buffer is a calibrated estimate; for
 * others it is the same model, uncalibrated.
 */
export const CPU_CALIBRATED_ARCHS: ReadonlySet<string> = new Set([
  "command-r",
  "deepseek2",
  "falcon-h1",
  "gemma2",
  "gemma3",
  "glm4moe",
  "gpt-oss",
  "granitehybrid",
  "jamba",
  "llama",
  "llama4",
  "mistral3",
  "nemotron_h",
  "nemotron_h_moe",
  "phi3",
  "qwen2",
  "qwen3",
  "qwen35",
]);

export const cpuComputeCalibrated = (arch: string): boolean => CPU_CALIBRATED_ARCHS.has(arch);
