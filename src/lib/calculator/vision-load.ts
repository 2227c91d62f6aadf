/**
 * A vision projector (mmproj GGUF) read in the browser, header only, through the same bounded
 * reader as model GGUFs (src/lib/gguf): a local file never leaves the machine, a URL is read by
 * range requests. Loaded lazily when the user picks a projector.
 */
import { readGgufHeaderFromBlob, readGgufHeaderFromUrl } from "../gguf/index.ts";
import { visionProjector, type VisionProjector } from "../engine/vision.ts";

export interface LoadedProjector {
  /** File name or URL's last segment. */
  name: string;
  /** https URL when read from one (the permalink carries it); null for a local file. */
  url: string | null;
  projector: VisionProjector;
}

export async function loadProjectorFile(file: File): Promise<LoadedProjector> {
  return { name: file.name, url: null, projector: visionProjector(await readGgufHeaderFromBlob(file, file.name)) };
}

export async function loadProjectorUrl(url: string): Promise<LoadedProjector> {
  if (!/^https:\/\/\S+$/.test(url)) throw new Error(`not an https:// URL: ${url}`);
  const name = decodeURIComponent(new URL(url).pathname.split("/").pop() || url);
  return { name, url, projector: visionProjector(await readGgufHeaderFromUrl(url)) };
}
