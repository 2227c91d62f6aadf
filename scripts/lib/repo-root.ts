/** The repository's root folder: the one place that knows where this file sits in the tree. */
import path from "node:path";

export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");
