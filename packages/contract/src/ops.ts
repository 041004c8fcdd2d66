import * as z from "zod/mini";
import { defineRoute } from "./route";

const area = "Operations";

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
    summary: "Browsable API reference (HTML)",
    data: z.string(),
    raw: true,
  }),
};
