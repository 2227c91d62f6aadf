/**
 * The calculator's validators, one lazy chunk apart from the engine (client.ts): the permalink
 * parser, custom architectures and run files, each checked by the same schemas as the CLI. They
 * carry zod, which the first answer does not need; the island loads them after that answer, or
 * with the engine when the page's link must be read first.
 */
export { loadCustom, parseArchitecture } from "./custom.ts";
export { parseRunJson } from "./run-upload.ts";
export { domainOf, parseState } from "./state-schema.ts";
