/**
 * `npm run profile -- --model <file.gguf> --ctx 2k,8k,32k --kv f16,q8_0,q8_0/q4_0`: measure a model
 * with real llama.cpp allocations at each context and KV cache type; writes a run folder for
 * `npm run ingest`. See scripts/profile/main.ts; `--help` for the options.
 */
import { main } from "./profile/main.ts";

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  console.error(`npm run profile: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
}
