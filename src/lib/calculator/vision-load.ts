/**
 * A vision projector (mmproj GGUF) read in the browser, header only, through the same bounded
 * reader as model GGUFs (src/lib/gguf): a local file never leaves the machine, a URL is read by
 * range requests. Loaded lazily when the user picks a projector.
 */
import { readGgufHeaderFromBlob, readGgufHeaderFromUrl } from "../gguf/index.ts";
import type { GgufHeader } from "../gguf/index.ts";
import { visionProjector, type VisionProjector } from "../engine/vision.ts";
import { projectorHeader } from "../engine/vision-tensors.ts";
import type { ProjectorFacts } from "../../schemas/projector.ts";

export interface LoadedProjector {
  /** File name or URL's last segment. */
  name: string;
  /** https URL when read from one (the permalink carries it); null for a local file. */
  url: string | null;
  projector: VisionProjector;
  /** Built from a catalog preset's published geometry (data/projectors.json): its model id. */
  preset?: string | null;
  /** The header, to size the projector again for another image size (dynamic-resolution types). */
  header?: GgufHeader;
}

/** A catalog preset's projector, from its facts and the LLM's n_embd (no file read). */
export function presetProjector(model: string, facts: ProjectorFacts, textEmbd: number): LoadedProjector {
  const name = `mmproj-${model}-f16.gguf`;
  const header = projectorHeader(facts, textEmbd, name);
  return { name, url: null, preset: model, header, projector: visionProjector(header) };
}

export async function loadProjectorFile(file: File): Promise<LoadedProjector> {
  const header = await readGgufHeaderFromBlob(file, file.name);
  return { name: file.name, url: null, header, projector: visionProjector(header) };
}

export async function loadProjectorUrl(url: string): Promise<LoadedProjector> {
  if (!/^https:\/\/\S+$/.test(url)) throw new Error(`not an https:// URL: ${url}`);
  const name = decodeURIComponent(new URL(url).pathname.split("/").pop() || url);
  const header = await readGgufHeaderFromUrl(url);
  return { name, url, header, projector: visionProjector(header) };
}
