/**
 * What every browser measure shares: the reason to skip (no Chromium, nothing built), serving the
 * built site and launching headless Chromium once per measure, and closing both. A measure spreads
 * `browserSite` into itself and reads the page's base URL and the browser with `servedSite(ctx)`.
 */
import { chromium, type Browser } from "playwright-core";
import { CHROMIUM_ARGS, findChromium } from "../test/chromium.ts";
import { serveSite, type ServedSite } from "../test/sites.ts";
import { benchSite } from "./site.ts";
import type { MeasureContext } from "./measure.ts";

export const browserSite = {
  skip: (ctx: MeasureContext): string | undefined => {
    if (!findChromium()) return "no Chromium (apt-get install chromium, or set CHROMIUM_PATH)";
    return benchSite(ctx.quick) ? undefined : "no built site";
  },
  setup: async (ctx: MeasureContext): Promise<void> => {
    const site = benchSite(ctx.quick)!;
    ctx.state.served = await serveSite({ name: "bench", base: "/", outDir: site.outDir });
    ctx.state.browser = await chromium.launch({ executablePath: findChromium(), headless: true, args: CHROMIUM_ARGS });
  },
  teardown: async (ctx: MeasureContext): Promise<void> => {
    await (ctx.state.browser as Browser | undefined)?.close();
    await (ctx.state.served as ServedSite | undefined)?.close();
  },
};

/** The browser and the served site's base URL that `browserSite.setup` left in the context. */
export function servedSite(ctx: MeasureContext): { browser: Browser; url: string } {
  return { browser: ctx.state.browser as Browser, url: (ctx.state.served as ServedSite).url };
}
