import { execFileSync } from "node:child_process";
import { createReadStream, existsSync, readdirSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { routeTable } from "@polaris/contract";
import { getDeps, type Config } from "@polaris/runtime";
import { securityHeaders } from "@polaris/runtime/security-headers";
import { repoRoot, type Fallback } from "./gateway";

/** Where `npm run build:web` puts the console. */
export const consoleDist = resolve(repoRoot, "packages/web/dist");

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

/** First path segments that belong to the API (`usercenter`, `file`, `share`, `search`, `healthz`, …): unknown paths under them stay JSON 404s. */
const apiSegments = new Set(Object.values(routeTable).map((r) => r.path.split("/")[1]));

const notBuilt = `<!doctype html><meta charset="utf-8"><title>Polaris</title>
<p>The web console has not been built yet: run <code>npm run build:web</code> and reload.</p>
<p>The API is up: <a href="/docs">/docs</a>.</p>`;

/**
 * Where the console's uploads go: presigned URLs name the endpoint browsers reach the store at
 * (the embedded store under /s3 on this origin, S3_PUBLIC_ENDPOINT, moto, or the bucket's S3 host),
 * path-style or with the bucket as a subdomain.
 */
export function objectStoreOrigins(config: Config): string[] {
  const endpoint = config.S3_PUBLIC_ENDPOINT ?? config.S3_ENDPOINT ?? config.AWS_ENDPOINT_URL;
  if (!endpoint)
    return [`https://${config.S3_BUCKET}.s3.${config.AWS_REGION}.amazonaws.com`, `https://${config.S3_BUCKET}.s3.amazonaws.com`];
  const url = new URL(endpoint);
  return config.S3_FORCE_PATH_STYLE ? [url.origin] : [url.origin, `${url.protocol}//${config.S3_BUCKET}.${url.host}`];
}

/**
 * The console's policy: its own scripts, styles and hash worker only (Vite emits no inline code),
 * the data: favicon, requests to the API (this origin) and the object store, and the store's
 * presigned GETs as pictures, media and the PDF frame (the store answers them sandboxed).
 */
export function consolePolicy(config: Config) {
  const store = objectStoreOrigins(config).join(" ");
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    // Thumbnails, previewed pictures, players and the PDF viewer load presigned GETs from the store.
    `img-src 'self' data: ${store}`,
    `media-src 'self' ${store}`,
    `frame-src 'self' ${store}`,
    "font-src 'self'",
    "worker-src 'self'",
    `connect-src 'self' ${store}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join("; ");
}

/** The console's headers follow the running app's settings (its store endpoint is known once it listens). */
const pageHeaders = new WeakMap<Config, Record<string, string>>();
async function consoleHeaders() {
  const { config } = await getDeps();
  let headers = pageHeaders.get(config);
  if (!headers) pageHeaders.set(config, (headers = securityHeaders(consolePolicy(config))));
  return headers;
}

async function send(req: IncomingMessage, res: ServerResponse, file: string, cache: string) {
  const stat = statSync(file);
  res.writeHead(200, {
    "content-type": types[extname(file)] ?? "application/octet-stream",
    "content-length": stat.size,
    "cache-control": cache,
    ...(await consoleHeaders()),
  });
  if (req.method === "HEAD") return res.end();
  createReadStream(file).pipe(res);
}

/**
 * A gateway `fallback` that serves the built console: files under `dist/` as they are (hashed
 * assets cached for a year), and index.html for every other GET of a page path, so the console's
 * client-side routes (`/folder/<id>`, `/s/<identity>`, …) survive a reload. Missing assets
 * (a path with an extension) and unknown paths under the API's prefixes are left to the gateway's
 * JSON 404.
 */
export function createConsoleFallback(options: { root?: string } = {}): Fallback {
  const root = resolve(options.root ?? consoleDist);
  return async (req, res, url) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    let path: string;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return false;
    }
    if (path.includes("\0") || apiSegments.has(path.split("/")[1])) return false;
    const file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) return false;
    if (existsSync(file) && statSync(file).isFile()) {
      await send(req, res, file, path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
      return true;
    }
    if (extname(path)) return false;
    const index = join(root, "index.html");
    if (!existsSync(index)) {
      res.writeHead(503, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store", ...(await consoleHeaders()) });
      res.end(req.method === "HEAD" ? undefined : notBuilt);
      return true;
    }
    await send(req, res, index, "no-cache");
    return true;
  };
}

/** The fallback to pass to `serveGateway(port, host, consoleFallback)`. */
export const consoleFallback: Fallback = createConsoleFallback();

const newest = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((max, e) => {
    const p = join(dir, e.name);
    return Math.max(max, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);

const web = resolve(repoRoot, "packages/web");

/** When the built console was made, if it is newer than every source file (the build is kept in dist/ across starts). */
export function consoleBuiltAt(): Date | undefined {
  const index = join(consoleDist, "index.html");
  // The contract too: the build inlines the route table's paths (vite.config.ts).
  const sources = Math.max(
    newest(join(web, "app")),
    newest(resolve(repoRoot, "packages/contract/src")),
    statSync(join(web, "index.html")).mtimeMs,
    statSync(join(web, "vite.config.ts")).mtimeMs,
  );
  const built = existsSync(index) ? statSync(index).mtime : undefined;
  return built && built.getTime() > sources ? built : undefined;
}

/** Builds the console with Vite unless dist/ is newer than every source file. */
export async function buildConsoleIfNeeded() {
  if (!consoleBuiltAt()) await buildConsole();
}

/** Builds the console with Vite into dist/. */
export async function buildConsole() {
  // In a process of its own: after a build, Vite and Rollup leave this one ~250 MB larger for good.
  // `-e` code resolves "vite" from its working directory (vitest's transform has no import.meta.resolve).
  execFileSync(
    process.execPath,
    [
      "--input-type=module",
      "-e",
      `const { build } = await import("vite"); await build({ configFile: ${JSON.stringify(join(web, "vite.config.ts"))}, logLevel: "warn" });`,
    ],
    { stdio: "inherit", cwd: repoRoot },
  );
}
