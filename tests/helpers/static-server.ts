/**
 * A static file server like the common hosts (GitHub Pages, Netlify, nginx's mime.types): the
 * Content-Type comes from the file's extension alone, with no `nosniff` header — the setting in
 * which an uploaded `evil.svg` or `evil.html` would run. Used to prove the build publishes no raw
 * file as active content. Requests to `/pwned…` are recorded with their referrer (a payload's
 * beacon and the page it ran on).
 */
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import path from "node:path";

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  htm: "text/html; charset=utf-8",
  xhtml: "application/xhtml+xml",
  svg: "image/svg+xml",
  xml: "application/xml",
  js: "text/javascript",
  mjs: "text/javascript",
  css: "text/css",
  json: "application/json",
  txt: "text/plain; charset=utf-8",
  csv: "text/csv",
  log: "text/plain",
  png: "image/png",
  ico: "image/x-icon",
  woff2: "font/woff2",
  gz: "application/gzip",
  webmanifest: "application/manifest+json",
};

export interface StaticServer {
  url: string;
  beacons: string[];
  close(): Promise<void>;
}

/** Serves `root` on a free loopback port. */
export async function serveStatic(root: string): Promise<StaticServer> {
  const beacons: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname.startsWith("/pwned")) {
      beacons.push(`${url.pathname} from ${req.headers.referer ?? "?"}`);
      res.writeHead(204).end();
      return;
    }
    let file = path.join(root, ...decodeURIComponent(url.pathname).split("/").filter(Boolean));
    if (!file.startsWith(root)) return void res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, "index.html");
    if (!existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end("not found");
    const ext = path.extname(file).slice(1).toLowerCase();
    res.writeHead(200, { "Content-Type": TYPES[ext] ?? "application/octet-stream" });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/`,
    beacons,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
