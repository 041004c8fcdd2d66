import * as z from "zod/mini";
import { ErrorCodes } from "./errors";
import { opsRoutes } from "./ops";
import type { RouteDef } from "./route";
import { routeTable } from "./routes";

type JsonSchema = Record<string, unknown>;

/**
 * A schema in JSON Schema 2020-12, the dialect of OpenAPI 3.1. Responses are rendered as input too:
 * a route's data is what its handler returns (`DataOf` is the input type) and nothing strips unknown
 * keys from it, whereas output mode would declare every object closed.
 */
function jsonSchema(schema: z.ZodMiniType): JsonSchema {
  const { $schema, ...rest } = z.toJSONSchema(schema, { io: "input" });
  return withoutSafeIntegerBounds(rest) as JsonSchema;
}

/**
 * zod bounds every integer by ±(2^53 − 1), which says no more than "integer" and which viewers
 * take for the example value (a code of -9007199254740991): left out.
 */
function withoutSafeIntegerBounds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSafeIntegerBounds);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k, v]) => !((k === "minimum" || k === "maximum") && Math.abs(v as number) === Number.MAX_SAFE_INTEGER))
      .map(([k, v]) => [k, withoutSafeIntegerBounds(v)]),
  );
}

const errorEnvelope = z.object({
  code: z.int().check(z.describe("business code (see the table in the description)")),
  msg: z.string().check(z.describe("what went wrong; validation errors name the field")),
  errors: z.optional(z.array(z.object({ field: z.string(), message: z.string() }))),
});

const okEnvelope = (data: z.ZodMiniType) => z.object({ code: z.literal(200), msg: z.literal("OK"), data });

const codeTable = Object.values(ErrorCodes)
  .map((e) => `| ${e.code} | ${e.status} | ${e.msg} |`)
  .join("\n");

/** What the raw routes that are not JSON answer. */
const rawTypes: Record<string, string[]> = {
  [opsRoutes.docs.path]: ["text/html"],
  [opsRoutes.docsAsset.path]: ["text/javascript", "text/css"],
};

const idempotencyKey = { $ref: "#/components/parameters/IdempotencyKey" };

function queryParameters(query: z.ZodMiniObject) {
  const { properties = {}, required = [] } = jsonSchema(query) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(properties).map(([name, schema]) => ({
    schema,
    required: required.includes(name),
    ...(schema.description ? { description: schema.description } : {}),
    name,
    in: "query",
  }));
}

function responsesFor(route: RouteDef) {
  // A compatibility route answers every business error with its one status (a bad token 401, a failing dependency its 5xx).
  const statusOf = (status: number) => (route.errorStatus && status !== 401 && status < 500 ? route.errorStatus : status);
  const errorStatuses = new Set<number>([400, 500]);
  if (route.auth !== "none") errorStatuses.add(401);
  if (route.method === "POST") errorStatuses.add(statusOf(413)).add(statusOf(409));
  for (const name of route.errors ?? []) errorStatuses.add(statusOf(ErrorCodes[name].status));
  const responses: Record<string, { description: string; content: Record<string, { schema: JsonSchema }> }> = {
    200: {
      description: "OK",
      content: route.raw
        ? Object.fromEntries((rawTypes[route.path] ?? ["application/json"]).map((type) => [type, { schema: jsonSchema(route.data) }]))
        : { "application/json": { schema: jsonSchema(okEnvelope(route.data)) } },
    },
  };
  for (const status of [...errorStatuses].sort()) {
    const codes = Object.values(ErrorCodes)
      .filter((e) => statusOf(e.status) === status)
      .map((e) => e.code);
    responses[status] = {
      description: `error; business code one of ${codes.join(", ")}`,
      content: { "application/json": { schema: jsonSchema(errorEnvelope) } },
    };
  }
  return responses;
}

/** Generates the OpenAPI 3.1 document from the route table: no route is described twice. */
export function buildOpenApiDocument(serverUrl?: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [operationId, route] of Object.entries(routeTable) as [string, RouteDef][]) {
    const parameters = [...(route.query ? queryParameters(route.query) : []), ...(route.method === "POST" ? [idempotencyKey] : [])];
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId,
      tags: [route.tag],
      summary: route.summary,
      security: route.auth === "jwt" ? [{ bearer: [] }] : route.auth === "optional" ? [{}, { bearer: [] }] : [],
      ...(parameters.length ? { parameters } : {}),
      // A body whose fields are all optional may be left out (the HTTP stack reads none as {}).
      ...(route.body
        ? {
            requestBody: {
              required: !route.body.safeParse({}).success,
              content: { "application/json": { schema: jsonSchema(route.body) } },
            },
          }
        : {}),
      responses: responsesFor(route),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Polaris API",
      version: "1.0.0",
      description: `Private cloud drive. Every answer is an envelope \`{code,msg,data}\`.\n\n| code | HTTP | meaning |\n|---|---|---|\n${codeTable}`,
    },
    servers: serverUrl ? [{ url: serverUrl }] : [],
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: { IdempotencyKey: { type: "string", minLength: 1, maxLength: 255 } },
      parameters: {
        IdempotencyKey: {
          schema: { $ref: "#/components/schemas/IdempotencyKey" },
          required: false,
          name: "Idempotency-Key",
          in: "header",
          description: "a retry with the same key returns the first result",
        },
      },
    },
    paths,
  };
}
