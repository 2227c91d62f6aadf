/**
 * The machine a run measured, as far as the OS and the tools on it say: CPU, total RAM, OS,
 * NVIDIA GPUs (nvidia-smi), and what llama.cpp itself reports (device names, VRAM, Metal's
 * recommendedMaxWorkingSetSize from its log). Nothing is guessed: what no tool states stays absent.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { MiB, MB } from "../../src/lib/units.ts";
import { nvidiaSmiAvailable, nvidiaSmiQuery, smiMiB } from "./memory.ts";

export interface GpuInfo {
  name: string;
  memory_bytes?: number;
  reserved_bytes?: number;
  driver?: string;
  /** Where the facts came from (`nvidia-smi`, `llama.cpp`). */
  source: string;
}

export interface HardwareFacts {
  cpu: string;
  cpu_count: number;
  total_memory_bytes: number;
  os: string;
  arch: string;
  gpus: GpuInfo[];
  /** Metal's recommendedMaxWorkingSetSize (bytes = MB × 10⁶), from llama.cpp's log. */
  gpu_working_set_bytes?: number;
  unified_memory?: boolean;
}

function osDescription(): string {
  if (os.platform() === "linux") {
    try {
      const rel = readFileSync("/etc/os-release", "utf8");
      const pretty = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(rel)?.[1];
      if (pretty) return `${pretty}, Linux ${os.release()}`;
    } catch {
      /* no os-release: fall through */
    }
  }
  if (os.platform() === "darwin") {
    const r = spawnSync("sw_vers", ["-productVersion"], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim()) return `macOS ${r.stdout.trim()} (Darwin ${os.release()})`;
  }
  return `${os.type()} ${os.release()}`;
}

export function nvidiaGpus(): GpuInfo[] {
  if (!nvidiaSmiAvailable()) return [];
  return nvidiaSmiQuery(["name", "memory.total", "memory.reserved", "driver_version"]).map((g) => {
    const total = smiMiB(g["memory.total"]);
    const reserved = smiMiB(g["memory.reserved"]);
    return {
      name: g.name,
      ...(total !== undefined ? { memory_bytes: total * MiB } : {}),
      ...(reserved !== undefined ? { reserved_bytes: reserved * MiB } : {}),
      ...(g.driver_version ? { driver: g.driver_version } : {}),
      source: "nvidia-smi",
    };
  });
}

/** `recommendedMaxWorkingSetSize  = 26800.60 MB` in llama.cpp's Metal init lines → bytes. */
export function metalWorkingSetFromLog(lines: readonly string[]): number | undefined {
  for (const l of lines) {
    const m = /recommendedMaxWorkingSetSize\s*=\s*([0-9.]+)\s*MB/.exec(l);
    if (m) return Math.round(Number(m[1]) * MB);
  }
  return undefined;
}

export function detectHardware(): HardwareFacts {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() || "unknown",
    cpu_count: cpus.length,
    total_memory_bytes: os.totalmem(),
    os: osDescription(),
    arch: os.arch(),
    gpus: nvidiaGpus(),
  };
}

/** Lower-case host label for the default output folder. */
export function hostSlug(): string {
  const h = os
    .hostname()
    .toLowerCase()
    .split(".")[0]
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return h || "host";
}
