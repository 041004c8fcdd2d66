import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { ErrorCodes } from "./errors";
import type { RouteDef } from "./route";
import { routeTable } from "./routes";

extendZodWithOpenApi(z);

const errorEnvelope = z.object({
  code: z.number().int().describe("business code (see the table in the description)"),
  msg: z.string().describe("what went wrong; validation errors name the field"),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

const okEnvelope = (data: z.ZodType) =>
  z.object({ code: z.literal(200), msg: z.literal("OK"), data });

const codeTable = Object.values(ErrorCodes)
  .map((e) => `| ${e.code} | ${e.status} | ${e.msg} |`)
  .join("\n");

function responsesFor(route: RouteDef) {
  const errorStatuses = new Set<number>([400, 500]);
  if (route.auth === "jwt") errorStatuses.add(401);
  if (route.method === "POST") errorStatuses.add(413).add(409);
  for (const name of route.errors ?? []) errorStatuses.add(ErrorCodes[name].status);
  const responses: Record<string, { description: string; content: Record<string, { schema: z.ZodType }> }> = {
    200: {
      description: "OK",
      content: route.raw
        ? { [route.path === "/docs" ? "text/html" : "application/json"]: { schema: route.data } }
        : { "application/json": { schema: okEnvelope(route.data) } },
    },
  };
  for (const status of [...errorStatuses].sort()) {
    const codes = Object.values(ErrorCodes).filter((e) => e.status === status).map((e) => e.code);
    responses[status] = {
      description: `error; business code one of ${codes.join(", ")}`,
      content: { "application/json": { schema: errorEnvelope } },
    };
  }
  return responses;
}

/** Generates the OpenAPI 3.1 document from the route table: no route is described twice. */
export function buildOpenApiDocument(serverUrl?: string) {
  const registry = new OpenAPIRegistry();
  registry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
  const idempotencyKey = registry.registerParameter(
    "IdempotencyKey",
    z.string().min(1).max(255).optional().openapi({
      param: { name: "Idempotency-Key", in: "header", description: "a retry with the same key returns the first result" },
    }),
  );
  for (const [operationId, route] of Object.entries(routeTable) as [string, RouteDef][]) {
    registry.registerPath({
      operationId,
      method: route.method.toLowerCase() as "get" | "post",
      path: route.path,
      tags: [route.tag],
      summary: route.summary,
      security: route.auth === "jwt" ? [{ bearer: [] }] : [],
      request: {
        ...(route.query ? { query: route.query } : {}),
        // A body whose fields are all optional may be left out (the HTTP stack reads none as {}).
        ...(route.body ? { body: { required: !route.body.safeParse({}).success, content: { "application/json": { schema: route.body } } } } : {}),
        ...(route.method === "POST" ? { headers: [idempotencyKey] } : {}),
      },
      responses: responsesFor(route),
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "Polaris API",
      version: "1.0.0",
      description: `Private cloud drive. Every answer is an envelope \`{code,msg,data}\`.\n\n| code | HTTP | meaning |\n|---|---|---|\n${codeTable}`,
    },
    servers: serverUrl ? [{ url: serverUrl }] : [],
  });
}
