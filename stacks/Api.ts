import { COMPAT_TAG, routeTable, type RouteDef } from "@polaris/contract";
import { Api as HttpApi, Config, use, type Stack, type StackContext } from "sst/constructs";
import { httpAccess, routeKey } from "./access";
import { polarisFunction } from "./lib/functions";
import type { Platform } from "./lib/platform";
import { Data } from "./Data";
import { Events } from "./Events";
import { Jobs } from "./Jobs";
import { Network } from "./Network";
import { Search } from "./Search";
import { Storage } from "./Storage";

const RETENTION = { 7: "one_week", 14: "two_weeks", 30: "one_month", 90: "three_months", 365: "one_year" } as const;

/**
 * The file routes (the contract's tag "Files") are added by the Files stack: each route takes nine
 * resources, and with every area's routes the Api stack passed CloudFormation's 500 a stack.
 */
export const FILES_TAG = "Files";

/** Construct id of an endpoint's function, from its route-table key (`user.login` → `Route-user-login`). */
export const routeFunctionId = (key: string) => `Route-${key.replace(/[^A-Za-z0-9]+/g, "-")}`;

/**
 * The HTTP API, generated from the route table: one route and one function per entry, the
 * handler being the entry's module. Authentication stays in the function (middy verifies the
 * HS256 token with jose), because API Gateway's JWT authorizer only verifies JWKS-published keys.
 */
export function Api({ stack }: StackContext) {
  const { settings, network } = use(Network);
  const { database, kv } = use(Data);
  const { bus } = use(Events);
  const { bucket } = use(Storage);
  const { search } = use(Search);
  const { jobs } = use(Jobs);

  const jwtSecret = new Config.Secret(stack, "JWT_SECRET");
  const platform: Platform = { settings, network, database, kv, bucket, bus, search, jobs, jwtSecret };

  const api = new HttpApi(stack, "api", {
    cors: {
      allowOrigins: settings.corsOrigins,
      allowMethods: ["GET", "POST"],
      allowHeaders: ["authorization", "content-type", "idempotency-key"],
      maxAge: "1 day",
    },
    accessLog: { retention: RETENTION[settings.logRetentionDays] },
    defaults: { throttle: settings.throttle },
  });

  const environment = {
    CORS_ORIGINS: settings.corsOrigins.join(","),
    PUBLIC_URL: settings.publicUrl ?? api.url,
  };
  const seen = new Map<string, string>();
  for (const [key, route] of Object.entries(routeTable)) {
    const routeId = routeKey(route);
    if (seen.has(routeId)) throw new Error(`route ${routeId} is in the route table twice (${seen.get(routeId)} and ${key})`);
    seen.set(routeId, key);
  }
  const endpoints = { api, platform, environment };
  addEndpoints(stack, endpoints, (route) => route.tag !== COMPAT_TAG && route.tag !== FILES_TAG);

  stack.addOutputs({ ApiUrl: api.url });
  return endpoints;
}

/** Adds a route and its function for each entry of the route table that `include` picks, in `stack`. */
export function addEndpoints(
  stack: Stack,
  { api, platform, environment }: { api: HttpApi; platform: Platform; environment: Record<string, string> },
  include: (route: RouteDef) => boolean,
) {
  for (const [key, route] of Object.entries(routeTable)) {
    if (!include(route)) continue;
    const routeId = routeKey(route);
    const fn = polarisFunction(
      stack,
      routeFunctionId(key),
      {
        entry: route.handler,
        description: `${routeId} (${route.handler})`,
        access: httpAccess(route),
        files: route.files,
        environment,
      },
      platform,
    );
    api.addRoutes(stack, { [routeId]: { function: fn, authorizer: "none" } });
  }
}
