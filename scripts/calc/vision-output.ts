/**
 * `npm run calc -- --mmproj <file|url> [--images N] [--no-mmproj-offload]`: the projector beside
 * the model (src/lib/engine/vision.ts) — lines under the breakdown and a `vision` JSON object.
 * An `ollama:` model's projector layer is used when no --mmproj is given.
 */
import { formatBinary } from "../../src/lib/format.ts";
import type { GgufHeader } from "../../src/lib/gguf/header.ts";
import { visionBreakdown, visionProjector } from "../../src/lib/engine/vision.ts";
import type { VisionBreakdown } from "../../src/lib/engine/vision.ts";
import { ModelLoadError } from "./loaded-model.ts";

export interface VisionArgs {
  mmproj: string | null;
  images: number;
  offload: boolean;
  /** --image-size (0×0: not given) and the token limits. */
  image?: { width: number; height: number; minTokens: number | null; maxTokens: number | null } | null;
}

/** Read the projector header (a path or URL), or take the one an import carried. */
export async function loadVision(a: VisionArgs, carried: GgufHeader | null): Promise<VisionBreakdown | null> {
  let header = carried;
  if (a.mmproj) {
    const node = await import("../../src/lib/gguf/node.ts");
    try {
      header = await node.readGgufHeader(a.mmproj);
    } catch (e) {
      throw new ModelLoadError(`--mmproj: ${(e as Error).message}`);
    }
  }
  if (!header) return null;
  try {
    const img = a.image ?? null;
    const options = {
      image: img && img.width > 0 ? { width: img.width, height: img.height } : null,
      minTokens: img?.minTokens ?? null,
      maxTokens: img?.maxTokens ?? null,
    };
    return visionBreakdown(visionProjector(header, options), { images: a.images, offload: a.offload });
  } catch (e) {
    throw new ModelLoadError(`--mmproj: ${(e as Error).message}`);
  }
}

/** Lines for the text output; `total` is the breakdown's total without the projector. */
export function renderVision(v: VisionBreakdown, total: number, nCtx: number): string {
  const where = v.device === "gpu" ? "with the model's first device" : "in host memory (--no-mmproj-offload)";
  const lines = [
    `vision projector (${v.projectorType}, ${v.tensors} tensors): weights ${formatBinary(v.weightsBytes)} (${v.weightsBytes.toLocaleString("en-US")} B, exact) ${where}`,
  ];
  if (v.computeBytes !== null)
    lines.push(
      `  image encoder compute ≈ ${formatBinary(v.computeBytes)} (estimate ±10 %, sized for the largest image)`,
    );
  if (v.imageCells !== null) {
    lines.push(
      `  ${v.images} image${v.images === 1 ? "" : "s"} × ${v.tokensPerImage} tokens = ${v.imageCells} KV cells of the ${nCtx}-token context`,
    );
    if (v.imageCells > nCtx) lines.push(`  warning: the images alone need more cells than the context holds`);
  }
  lines.push(`  ${v.basis}`);
  const partial = v.computeBytes === null ? " (projector weights only: its encoder compute is not modelled)" : "";
  lines.push(`  total with the projector: ${formatBinary(total + v.weightsBytes + (v.computeBytes ?? 0))}${partial}`);
  return lines.join("\n");
}
