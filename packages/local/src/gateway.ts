import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { ErrorCodes, routeTable, type ErrorName, type RouteDef } from "@polaris/contract";
import { apiSecurityHeaders } from "@polaris/runtime/security-headers";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/** The Lambda modules of a built server (infra-local/launch.mjs), by path from the repository root. */
const builtModules = new Map<string, () => Promise<unknown>>();
export const registerBuiltModules = (modules: Record<string, () => Promise<unknown>>) => {
  for (const [path, load] of Object.entries(modules)) builtModules.set(path, load);
};

/** A Lambda module's `handler`, by its path from the repository root (the same modules the stacks deploy). */
export const loadModuleHandler = async <T>(modulePath: string) =>
  ((await (builtModules.get(modulePath)?.() ?? import(pathToFileURL(resolve(repoRoot, modulePath)).href))) as { handler: T }).handler;

/** API Gateway's own payload limit; handlers apply the product's smaller one. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
/**
 * Room for the longest URL the schemas allow (a share token and its query, percent-encoded), so such
 * a request reaches validation and gets a 400 naming the field instead of Node's bare 431.
 */
const MAX_HEADER_BYTES = 64 * 1024;

/** How long a connection may send nothing in the middle of a request. */
const IDLE_MS = 120_000;

/**
 * Settings of a long-running local server that a Lambda function must not have: a person reads its
 * terminal (a line per request, no EMF unless METRICS=true, JSON with LOG_FORMAT=json); one process
 * answers every route, so each route's metrics are gathered for a second into one EMF line.
 */
export const LOCAL_SERVER_DEFAULTS: Record<string, string> = { LOG_FORMAT: "human", METRICS: "false", METRICS_FLUSH_MS: "1000" };

type LambdaHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

const handlers = new Map<string, Promise<LambdaHandler>>();
const loadHandler = (route: RouteDef) => {
  let loaded = handlers.get(route.handler);
  if (!loaded) {
    loaded = loadModuleHandler<LambdaHandler>(route.handler);
    handlers.set(route.handler, loaded);
  }
  return loaded;
};

const routesByPath = new Map<string, Map<string, RouteDef>>();
for (const route of Object.values(routeTable)) {
  const methods = routesByPath.get(route.path) ?? new Map<string, RouteDef>();
  methods.set(route.method, route);
  routesByPath.set(route.path, methods);
}

const sendError = (res: ServerResponse, name: ErrorName, message?: string, status?: number, headers: Record<string, string> = {}) => {
  const entry = ErrorCodes[name];
  res.writeHead(status ?? entry.status, { "content-type": "application/json; charset=utf-8", ...apiSecurityHeaders, ...headers });
  res.end(JSON.stringify({ code: entry.code, msg: message ?? entry.msg }));
};

async function readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) return "too-large";
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toEvent(req: IncomingMessage, url: URL, route: RouteDef, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(",") : value;
  }
  // API Gateway joins repeated query parameters with commas.
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
  const now = new Date();
  const text = body.toString("utf8");
  const isText = Buffer.from(text, "utf8").equals(body);
  return {
    version: "2.0",
    routeKey: `${route.method} ${route.path}`,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: url.searchParams.size ? query : undefined,
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      domainName: headers.host ?? "localhost",
      domainPrefix: "local",
      http: {
        method: req.method ?? "GET",
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: `${route.method} ${route.path}`,
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length ? (isText ? text : body.toString("base64")) : undefined,
    isBase64Encoded: body.length > 0 && !isText,
  };
}

const lambdaContext = (route: RouteDef, requestId: string): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: route.handler,
  functionVersion: "$LATEST",
  invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${route.handler}`,
  memoryLimitInMB: "1024",
  awsRequestId: requestId,
  logGroupName: "local",
  logStreamName: "local",
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

const corsHeaders = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET,POST,OPTIONS",
  "access-control-allow-headers": "authorization,content-type,idempotency-key",
  "access-control-max-age": "600",
};

export type Fallback = (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;

/**
 * The local stand-in for API Gateway (HTTP API, payload v2): it turns each request into the event
 * Lambda would get and invokes the same handler module the route table names.
 */
/** Logs a request the gateway answered itself (the console's files, the object store, 404s, preflights): route handlers log their own. */
export type RequestLog = (method: string, path: string, status: number, ms: number) => void;

function createGateway(options: { fallback?: Fallback; ready?: Promise<unknown>; requestLog?: RequestLog } = {}) {
  /** Each request's handling until its handler has returned (a client that hung up does not end it). */
  const inFlight = new Map<ServerResponse, Promise<unknown>>();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let routed = false;
    if (options.requestLog) {
      const started = performance.now();
      const log = options.requestLog;
      res.once("close", () => {
        if (!routed) log(req.method ?? "?", (req.url ?? "/").split("?")[0], res.statusCode, Math.round(performance.now() - started));
      });
    }
    try {
      await options.ready;
      const url = new URL(req.url ?? "/", "http://localhost");
      const methods = routesByPath.get(url.pathname);
      if (!methods) {
        if (await options.fallback?.(req, res, url)) return;
        return sendError(res, "NOT_FOUND", `no route for ${url.pathname}`);
      }
      if (req.method === "OPTIONS") {
        res.writeHead(204, { ...corsHeaders, ...apiSecurityHeaders });
        return res.end();
      }
      const route = methods.get(req.method ?? "");
      if (!route) {
        return sendError(res, "METHOD_NOT_ALLOWED", `${req.method} is not allowed on ${url.pathname}`, 405, {
          allow: [...methods.keys()].join(", "),
        });
      }
      const body = await readBody(req);
      if (body === "too-large") {
        return sendError(res, "INVALID_PARAMETER", `参数错误: request body exceeds ${MAX_PAYLOAD_BYTES} bytes`, 413, {
          connection: "close",
        });
      }
      const event = toEvent(req, url, route, body);
      routed = true;
      const result = await (await loadHandler(route))(event, lambdaContext(route, event.requestContext.requestId));
      const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]));
      res.writeHead(result.statusCode ?? 200, headers);
      res.end(result.isBase64Encoded && result.body ? Buffer.from(result.body, "base64") : result.body);
    } catch (error) {
      console.error("gateway: handler failed", error);
      if (!res.headersSent) sendError(res, "SERVER_ERROR");
      else res.end();
    }
  };
  // A big PUT to the object store on a slow link may take longer than Node's 5-minute request
  // limit; S3 bounds idleness instead, so does this server (a stalled body is dropped after IDLE_MS).
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: 0 }, (req, res) => {
    const handling = handle(req, res);
    inFlight.set(res, handling);
    const settled = () => void inFlight.delete(res);
    handling.then(settled, settled);
  });
  server.timeout = IDLE_MS;
  // Requests Node refuses before any handler runs (headers too large, malformed) still get the envelope.
  server.on("clientError", (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const [status, reason, msg] =
      error.code === "HPE_HEADER_OVERFLOW"
        ? [431, "Request Header Fields Too Large", `参数错误: request line and headers exceed ${MAX_HEADER_BYTES} bytes`]
        : [400, "Bad Request", "参数错误: malformed HTTP request"];
    const body = JSON.stringify({ code: ErrorCodes.INVALID_PARAMETER.code, msg });
    const security = Object.entries(apiSecurityHeaders)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("");
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\n${security}content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return { server, inFlight };
}

/** How long `close` lets the requests in flight finish before it drops their connections. */
const DRAIN_MS = 10_000;

/**
 * Starts the gateway on `host:port` (port 0 picks a free one). `close` drains: it stops accepting,
 * lets the requests in flight finish — their handlers return, even for a client that hung up — (at most
 * `drainMs`, then drops what is left) and resolves once every connection is closed, so the caller can
 * then close what the handlers use. Requests that arrive before `ready` resolves wait for it (the
 * embedded profile listens first: its object store's URL needs the port).
 */
export async function serveGateway(
  port: number,
  host: string,
  fallback?: Fallback,
  options: { drainMs?: number; ready?: Promise<unknown>; requestLog?: RequestLog } = {},
) {
  const drainMs = options.drainMs ?? DRAIN_MS;
  const { server, inFlight } = createGateway({ fallback, ready: options.ready, requestLog: options.requestLog });
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolveListen);
  });
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    async close() {
      // server.close also drops the idle keep-alive connections; a busy one would otherwise stay
      // open for keepAliveTimeout after its answer, so that answer tells the client to disconnect.
      const closed = new Promise<void>((done) => server.close(() => done()));
      for (const res of inFlight.keys()) if (!res.headersSent) res.setHeader("connection", "close");
      let deadline: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([closed, ...inFlight.values()]),
        new Promise<void>((done) => (deadline = setTimeout(done, drainMs))),
      ]);
      clearTimeout(deadline);
      server.closeAllConnections();
      await closed;
    },
  };
}
