import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { docsAssetFiles } from "@polaris/contract";

/** A Content-Security-Policy source for exactly this inline text. */
const sha256Source = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

export type DocsAssetFile = (typeof docsAssetFiles)[number];

/**
 * The viewer's files, read once from the installed package (on Lambda the stacks ship them beside
 * the function's bundle, under the same node_modules path: the route's `files`).
 */
const viewer = (() => {
  let dir: string | undefined;
  const locate = () => (dir ??= dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json")));
  const cache = new Map<DocsAssetFile, string>();
  return {
    version: () => (JSON.parse(readFileSync(join(locate(), "package.json"), "utf8")) as { version: string }).version,
    read(file: DocsAssetFile) {
      let text = cache.get(file);
      if (text === undefined) cache.set(file, (text = readFileSync(join(locate(), file), "utf8")));
      return text;
    },
  };
})();

const assetTypes: Record<DocsAssetFile, string> = {
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
};

/** One of the viewer's files and its content type. */
export const docsAsset = (file: DocsAssetFile) => ({ body: viewer.read(file), contentType: assetTypes[file] });

// Polaris's colours over Swagger UI's, and room for the token box's hint.
const style = `
body{margin:0;background:#f6f7fb}.swagger-ui .topbar{display:none}
.polaris-bar{background:#1d2330;color:#fff;padding:12px 24px;font:14px/1.5 system-ui,sans-serif;display:flex;gap:16px;align-items:baseline;flex-wrap:wrap}
.polaris-bar h1{font-size:18px;margin:0}.polaris-bar a{color:#9cf}
.swagger-ui .info .markdown table{border-collapse:collapse}.swagger-ui .info .markdown td,.swagger-ui .info .markdown th{border:1px solid #dde1ea;padding:2px 8px}
`;

/**
 * Starts Swagger UI on /openapi.json. "Authorize" is the token box: a token pasted there (or the
 * one a try-it of login or register answers, taken over at once) goes with every try-it request,
 * and stays in this browser's storage. The document is never sent to a validator service.
 */
const script = `
const ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  persistAuthorization: true,
  displayRequestDuration: true,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
  filter: true,
  tryItOutEnabled: true,
  requestSnippetsEnabled: true,
  responseInterceptor: (res) => {
    const token = res && res.ok && res.body && res.body.data && res.body.data.accessToken;
    if (token && /\\/user\\/(login|register)$/.test(new URL(res.url, location.href).pathname)) ui.preauthorizeApiKey("bearer", token);
    return res;
  },
});
window.ui = ui;
`;

const assetUrl = (file: DocsAssetFile) => `docs/assets?file=${file}&v=${viewer.version()}`;

let page: string | undefined;
/**
 * The reference page: Swagger UI (from npm, served by /docs/assets on this origin) rendering
 * /openapi.json. It loads nothing from other hosts, so it works offline and behind a strict network.
 */
export const docsPage = () =>
  (page ??= `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Polaris API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${assetUrl("swagger-ui.css")}">
<style>${style}</style></head><body>
<header class="polaris-bar"><h1>Polaris API</h1><a href="openapi.json">openapi.json</a><span>Try it: call login or register (or paste a token under Authorize); the token is then sent with every request.</span></header>
<div id="swagger-ui"></div>
<script src="${assetUrl("swagger-ui-bundle.js")}"></script>
<script>${script}</script></body></html>`);

/**
 * What the page may load: the viewer from its origin, its own inline style and script (by hash),
 * the document and try-it requests to its origin, and the viewer's data: icons.
 */
export const docsPagePolicy = `default-src 'none'; script-src 'self' ${sha256Source(script)}; style-src 'self' ${sha256Source(style)}; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'`;
