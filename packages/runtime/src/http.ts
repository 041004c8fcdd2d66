import { gzipSync } from "node:zlib";
import middy, { type MiddlewareObj } from "@middy/core";
import httpCors from "@middy/http-cors";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import httpJsonBodyParser from "@middy/http-json-body-parser";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type * as z from "zod/mini";
import { ErrorCodes, type BodyOf, type DataOf, type ErrorName, type QueryOf, type RouteDef } from "@polaris/contract";
import { DomainError, recordedEvents, Users, type AccessClaims } from "@polaris/core";
import { getConfig, getDeps, type AppDeps } from "./composition";
import { idempotencyScope, requestHash } from "./idempotency";
import { emitMetrics, type MetricEntry } from "./metrics";
import { apiSecurityHeaders, securityHeaders } from "./security-headers";

export interface RequestContext<R extends RouteDef> {
  body: BodyOf<R>;
  query: QueryOf<R>;
  /** Set on routes with `auth: "jwt"`, and on `auth: "optional"` ones when a token was sent (else undefined). */
  userId: number;
  clientAddress: string;
  deps: AppDeps;
  /** The access token's claims, where `userId` is set. */
  claims: AccessClaims;
  /** Adds a metric to this request's EMF line (beside Requests, Errors and Latency). */
  metric(name: string, unit: MetricEntry["unit"], value: number): void;
  /** Sets a header of a raw route's answer (its content type, caching). */
  header(name: string, value: string): void;
}

type Result = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };
type Event = Omit<APIGatewayProxyEventV2, "body"> & { body?: unknown };
type State = {
  deps: AppDeps;
  userId: number;
  body: unknown;
  query: unknown;
  idempotency?: { scope: string; key: string; lease: string };
  eventsBefore: number;
  metrics?: MetricEntry[];
  claims?: AccessClaims;
  headers?: Record<string, string>;
};

// Every JSON answer is built here (errors and stored idempotent replays included), so each carries the security headers.
const json = (statusCode: number, payload: unknown, headers: Record<string, string> = {}): Result => ({
  statusCode,
  headers: { "content-type": "application/json; charset=utf-8", ...apiSecurityHeaders, ...headers },
  body: JSON.stringify(payload),
});

/** The error envelope for a business error; `status` overrides the table's (413 for an oversized body). */
export const errorResult = (name: ErrorName, message?: string, extra: { errors?: unknown; status?: number } = {}): Result => {
  const { code, status, msg } = ErrorCodes[name];
  return json(extra.status ?? status, { code, msg: message ?? msg, ...(extra.errors ? { errors: extra.errors } : {}) });
};

const invalid = (message: string, errors?: { field: string; message: string }[], status?: number) =>
  new HttpFailure(errorResult("INVALID_PARAMETER", `参数错误: ${message}`, { errors, status }));

/** A finished error response travelling through middy's onError. */
class HttpFailure extends Error {
  constructor(readonly result: Result) {
    super(result.body);
  }
}

/** Per-invocation state lives on the Lambda context, which middy hands to the handler too. */
const state = (request: { context: Context }) => ((request.context as Context & { polaris?: State }).polaris ??= {} as State);

function parseOrFail<S extends z.ZodMiniType>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors = parsed.error.issues.map((issue) => ({
    field: issue.path.length ? issue.path.join(".") : where,
    message: issue.message,
  }));
  throw invalid(errors.map((e) => `${e.field} ${e.message}`).join("; "), errors);
}

const bearer = (header: string | undefined) => header?.replace(/^Bearer\s+/i, "").trim();

function routeMiddleware(route: RouteDef): MiddlewareObj<Event, Result> {
  return {
    before: async (request) => {
      const deps = await getDeps();
      const s = state(request);
      s.deps = deps;
      s.eventsBefore = recordedEvents();
      const event = request.event;

      if (route.auth === "jwt" || (route.auth === "optional" && event.headers?.authorization !== undefined)) {
        const token = bearer(event.headers?.authorization);
        const claims = token ? await deps.tokens.inspect(token) : null;
        if (!claims) throw new HttpFailure(errorResult("UNAUTHORIZED"));
        // A signature proves who the token was issued to, not that it still stands: the account must
        // exist and be enabled, and the token be neither signed out nor of an older token version, on
        // every route. Read once per AUTH_CACHE_SECONDS per token and process (Users.authenticate).
        const session = await Users.authenticate(deps, claims);
        // Administrators' routes do not exist for anyone else: the same answer as an unknown path.
        if (route.role === "admin" && session.role !== "admin")
          throw new HttpFailure(errorResult("NOT_FOUND", `no route for ${event.rawPath ?? route.path}`));
        s.userId = claims.userId;
        s.claims = claims;
      }
      s.query = route.query ? parseOrFail(route.query, event.queryStringParameters ?? {}, "query") : undefined;
      s.body = route.body ? parseOrFail(route.body, event.body, "body") : undefined;

      const key = route.method === "POST" ? event.headers?.["idempotency-key"] : undefined;
      if (key !== undefined) {
        if (key.length < 1 || key.length > 255) throw invalid("Idempotency-Key must be 1 to 255 characters");
        const scope = idempotencyScope(s.userId, route.path);
        const hash = requestHash(s.body, s.query);
        const claim = await deps.idempotency.claim(scope, key, hash, deps.config.IDEMPOTENCY_LEASE_SECONDS);
        if (!claim.claimed) {
          const existing = claim.record;
          if (existing.requestHash !== hash) throw new HttpFailure(errorResult("IDEMPOTENCY_KEY_REUSED"));
          if (existing.status === "in_progress") {
            throw new HttpFailure(errorResult("IDEMPOTENCY_KEY_REUSED", "a request with this Idempotency-Key is still in progress"));
          }
          return JSON.parse(existing.response) as Result;
        }
        s.idempotency = { scope, key, lease: claim.lease };
      }
    },
    after: async (request) => {
      const s = state(request);
      if (s.idempotency && request.response) {
        const { scope, key, lease } = s.idempotency;
        await s.deps.idempotency.complete(scope, key, lease, JSON.stringify(request.response), s.deps.config.IDEMPOTENCY_TTL_SECONDS);
      }
      // A POST that succeeded may have committed outbox rows: publish them now, not at the next sweep
      // (only when events were written meanwhile: an empty publish still costs a transaction).
      if (route.method === "POST" && recordedEvents() !== s.eventsBefore) await s.deps?.publishEvents();
    },
    onError: async (request) => {
      const s = state(request);
      const error = request.error;
      if (s.idempotency)
        await s.deps.idempotency.release(s.idempotency.scope, s.idempotency.key, s.idempotency.lease).catch(() => undefined);
      if (error instanceof HttpFailure) {
        request.response = error.result;
      } else if (error instanceof DomainError) {
        request.response = errorResult(error.name, error.message === error.name ? undefined : error.message);
        // A dependency that failed (storage, search) is the operator's to see, with the cause it carries.
        if (request.response.statusCode >= 500) (s.deps?.logger ?? console).error("dependency unavailable", { error, path: route.path });
      } else if ((error as { statusCode?: number })?.statusCode === 415) {
        request.response =
          error?.message === "Unsupported Media Type"
            ? invalid("Content-Type must be application/json").result
            : invalid("body is not valid JSON").result;
      } else {
        (s.deps?.logger ?? console).error("unhandled error", { error: error as Error, path: route.path });
        request.response = errorResult("SERVER_ERROR");
      }
      // Compatibility routes answer business errors with one status, as their original did; a bad token keeps 401, a failing dependency its 5xx.
      const { statusCode } = request.response;
      if (route.errorStatus && statusCode !== 401 && statusCode < 500)
        request.response = { ...request.response, statusCode: route.errorStatus };
    },
  };
}

/** Raw answers are the same few documents (the reference page, its viewer, the OpenAPI document): each compressed once. */
const compressed = new Map<string, string>();
const COMPRESS_FROM_BYTES = 1024;

/**
 * A raw answer gzipped, for a client that accepts it: API Gateway's HTTP API compresses nothing, and
 * the viewer's script is 1.7 MB (460 kB gzipped).
 */
function gzipped(answer: Result): Result {
  if (answer.body.length < COMPRESS_FROM_BYTES) return answer;
  let body = compressed.get(answer.body);
  if (body === undefined) {
    body = gzipSync(answer.body).toString("base64");
    if (compressed.size >= 16) compressed.clear();
    compressed.set(answer.body, body);
  }
  return { ...answer, headers: { ...answer.headers, "content-encoding": "gzip", vary: "accept-encoding" }, body, isBase64Encoded: true };
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Rejects oversized bodies and lets POSTs with every field optional omit the body. */
function bodyGuard(route: RouteDef, maxBytes: number): MiddlewareObj<Event, Result> {
  return {
    before: async ({ event }) => {
      let body = typeof event.body === "string" ? event.body : "";
      const size = event.isBase64Encoded ? Math.floor((body.length * 3) / 4) : Buffer.byteLength(body);
      if (size > maxBytes) throw invalid(`request body exceeds ${maxBytes} bytes`, undefined, 413);
      // The gateway (API Gateway and the local one alike) base64-encodes a body that is not UTF-8; the
      // JSON parser would decode it with U+FFFD in place of the bad bytes and store that. Refuse it.
      if (route.body && event.isBase64Encoded && body !== "") {
        try {
          body = utf8.decode(Buffer.from(body, "base64"));
        } catch {
          throw invalid("request body is not valid UTF-8");
        }
        event.body = body;
        event.isBase64Encoded = false;
      }
      if (route.body && body.trim() === "") {
        event.body = "{}";
        event.isBase64Encoded = false;
        event.headers = { ...event.headers, "content-type": "application/json" };
      }
    },
  };
}

/**
 * Wraps a use-case call in the one HTTP stack every endpoint shares: header normalisation, size
 * guard, JSON parsing, JWT auth, schema validation, idempotency, error mapping, CORS and a log line.
 */
export function httpHandler<R extends RouteDef>(
  route: R,
  impl: (ctx: RequestContext<R>) => Promise<DataOf<R>>,
  /** A raw route's HTML page states what it loads (its Content-Security-Policy directives). */
  options: { contentSecurityPolicy?: string } = {},
) {
  // Only plain settings are read at module load: the rest of the dependencies are built on first use.
  const config = getConfig();
  const core = async (event: Event, context: Context): Promise<Result> => {
    const s = state({ context });
    const data = await impl({
      body: s.body as BodyOf<R>,
      query: s.query as QueryOf<R>,
      userId: s.userId,
      claims: s.claims!,
      clientAddress: event.requestContext?.http?.sourceIp ?? "unknown",
      deps: s.deps,
      metric: (name, unit, value) => (s.metrics ??= []).push({ name, unit, value }),
      header: (name, value) => void ((s.headers ??= {})[name.toLowerCase()] = value),
    });
    if (route.raw) {
      const answer =
        typeof data === "string"
          ? {
              statusCode: 200,
              headers: {
                "content-type": "text/html; charset=utf-8",
                ...(options.contentSecurityPolicy ? securityHeaders(options.contentSecurityPolicy) : apiSecurityHeaders),
                ...s.headers,
              },
              body: data,
            }
          : json(200, data, s.headers);
      return /\bgzip\b/.test(event.headers?.["accept-encoding"] ?? "") ? gzipped(answer) : answer;
    }
    return json(200, { code: 200, msg: "OK", data });
  };
  const middlewares: MiddlewareObj<Event, Result>[] = [
    httpHeaderNormalizer() as MiddlewareObj<Event, Result>,
    httpCors({ origins: config.CORS_ORIGINS.split(",").map((o) => o.trim()), exposeHeaders: "*" }) as MiddlewareObj<Event, Result>,
    requestLog(route),
    bodyGuard(route, config.MAX_REQUEST_BYTES),
    ...(route.body ? [httpJsonBodyParser() as MiddlewareObj<Event, Result>] : []),
    routeMiddleware(route),
  ];
  return middy<Event, Result>().use(middlewares).handler(core);
}

function requestLog(route: RouteDef): MiddlewareObj<Event, Result> {
  const started = new WeakMap<object, number>();
  const write = async (request: middy.Request<Event, Result>) => {
    const s = state(request);
    const status = request.response?.statusCode ?? 500;
    const latencyMs = Date.now() - (started.get(request) ?? Date.now());
    s.deps?.logger[status >= 500 ? "error" : "info"]("request", {
      route: `${route.method} ${route.path}`,
      status,
      userId: s.userId,
      requestId: request.event.requestContext?.requestId,
      latencyMs,
    });
    emitMetrics(s.deps?.config, { route: `${route.method} ${route.path}` }, [
      { name: "Requests", unit: "Count", value: 1 },
      { name: "Errors", unit: "Count", value: status >= 500 ? 1 : 0 },
      { name: "Latency", unit: "Milliseconds", value: latencyMs },
      ...(s.metrics ?? []),
    ]);
  };
  return {
    before: async (request) => {
      started.set(request, Date.now());
    },
    after: write,
    onError: write,
  };
}
