import { z } from "zod";

import { KV_TYPES } from "../lib/kv-types.ts";

export { KV_TYPES, isTurboType, isQuantizedKvType, kvTypesAccepted } from "../lib/kv-types.ts";

/** A K/V cache type name (the list and its helpers live in src/lib/kv-types.ts, free of zod). */
export const KvTypeSchema = z.enum(KV_TYPES);
export type KvType = z.infer<typeof KvTypeSchema>;
