/**
 * GGUF header reading and GGUF → architecture mapping (browser-safe). Node callers that read
 * local paths import `./node.ts` as well.
 */
export {
  blobSource,
  GgufReadError,
  maxHeaderReadBytes,
  readGgufHeaderFrom,
  readGgufHeaderFromBlob,
  readGgufHeaderFromUrl,
  READ_CHUNK,
  urlSource,
} from "./header.ts";
export type { GgufHeader, GgufKvType, GgufMetadata, GgufTensor, GgufValue, RangeSource } from "./header.ts";
export { ARCHS, ggufToArchitecture, GgufMappingError, SUPPORTED_ARCHS } from "./map.ts";
export type { TensorLike } from "./map.ts";
export { GGML_TYPES, ggmlTensorBytes, ggmlTypeById, ggmlTypeByName } from "./ggml-types.ts";
export type { GgmlTypeInfo } from "./ggml-types.ts";
export { GgufParseError } from "./parse.ts";
