/** Process-level lines: build, CUDA and Metal devices, system info. */
import { RE_BUILD, RE_CUDA_DEVICE, RE_USING_DEVICE, RE_METAL_GPU, backendOf } from "./patterns.ts";
import { type ParserState, newContext } from "./state.ts";

/** Process-level lines (build, CUDA and Metal devices, system info) and the line that starts a context. */
export function handleRunLine(s: ParserState, t: string, n: number): boolean {
  let m: RegExpExecArray | null;
  if (t.includes("constructing llama_context")) {
    newContext(s, n);
    return true;
  }
  if (t.includes("build")) {
    m = RE_BUILD.exec(t);
    if (m) {
      s.runLevelLine = true;
      if (!s.facts.build)
        s.facts.build = {
          number: Number(m[1]),
          commit: m[2],
          compiler: m[3],
          target: m[4],
          line: n,
        };
      return true;
    }
  }
  if (t.includes("compute capability")) {
    m = RE_CUDA_DEVICE.exec(t);
    if (m) {
      s.runLevelLine = true;
      s.facts.devices.push({
        name: `CUDA${m[1]}`,
        description: m[2],
        backend: "CUDA",
        computeCapability: m[3],
        totalMiB: m[4] === undefined ? undefined : Number(m[4]),
        line: n,
      });
      return true;
    }
  }
  if (t.includes("using device")) {
    m = RE_USING_DEVICE.exec(t);
    if (m) {
      s.runLevelLine = true;
      const existing = s.facts.devices.find(
        (d) => d.name === m![1] || (d.description === m![2] && d.backend === backendOf(m![1])),
      );
      if (existing) {
        existing.name = m[1];
        existing.freeMiB = Number(m[3]);
      } else
        s.facts.devices.push({
          name: m[1],
          description: m[2],
          backend: backendOf(m[1]),
          freeMiB: Number(m[3]),
          line: n,
        });
      return true;
    }
  }
  if (t.includes("GPU name") || t.includes("found device:")) {
    m = RE_METAL_GPU.exec(t);
    if (m && /metal/i.test(t)) {
      s.runLevelLine = true;
      s.facts.metal = { ...s.facts.metal, gpuName: m[1], line: s.facts.metal?.line ?? n };
      return true;
    }
  }
  if (t.startsWith("system_info:") || t.includes(" system_info:")) {
    const backends = [...t.matchAll(/\b(CUDA|Metal|MTL|ROCm|HIP|Vulkan|SYCL|BLAS|CPU)\s*:/g)].map((x) => x[1]);
    s.facts.systemInfo = { backends: [...new Set(backends)], text: t, line: n };
    s.runLevelLine = true;
    return true;
  }
  return false;
}
