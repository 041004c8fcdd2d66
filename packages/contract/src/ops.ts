import * as z from "zod/mini";
import { defineRoute } from "./route";

const area = "Operations";

/** The viewer /docs loads, as npm installs it: the files /docs/assets serves. */
export const docsViewerPackage = "node_modules/swagger-ui-dist";
export const docsAssetFiles = ["swagger-ui-bundle.js", "swagger-ui.css"] as const;

export const opsRoutes = {
  healthz: defineRoute({
    method: "GET",
    path: "/healthz",
    handler: "functions/http/ops/healthz.ts",
    auth: "none",
    tag: area,
    summary: "Liveness",
    data: z.object({ status: z.literal("ok") }),
  }),
  openapi: defineRoute({
    method: "GET",
    path: "/openapi.json",
    handler: "functions/http/ops/openapi.ts",
    auth: "none",
    tag: area,
    summary: "This OpenAPI 3.1 document",
    data: z.record(z.string(), z.unknown()),
    raw: true,
  }),
  docs: defineRoute({
    method: "GET",
    path: "/docs",
    handler: "functions/http/ops/docs.ts",
    auth: "none",
    tag: area,
    summary: "Browsable API reference (HTML): Swagger UI over /openapi.json, with try-it",
    data: z.string(),
    raw: true,
  }),
  docsAsset: defineRoute({
    method: "GET",
    path: "/docs/assets",
    handler: "functions/http/ops/docs-asset.ts",
    auth: "none",
    tag: area,
    summary: "The reference page's viewer (Swagger UI's script and stylesheet, from npm)",
    query: z.object({
      file: z.enum(docsAssetFiles),
      v: z.optional(
        z.string().check(z.maxLength(32), z.describe("the viewer's version: a new one is a new URL, so the answer is cached for good")),
      ),
    }),
    data: z.string(),
    raw: true,
    // Its own function, so the page's stays small; the files ship beside this one's bundle.
    files: docsAssetFiles.map((file) => `${docsViewerPackage}/${file}`).concat(`${docsViewerPackage}/package.json`),
  }),
};
