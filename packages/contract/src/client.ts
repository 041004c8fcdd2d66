/**
 * The typed client of the route table: a route's name gives its method, path and auth (at run time,
 * from `endpoints`) and its request and response types (at compile time, from its zod schemas). Only
 * types are imported, so a browser bundle that takes `endpoints` from the build carries no zod.
 */
import type * as z from "zod/mini";
import type { DataOf, RouteDef } from "./route";
import type { Routes } from "./routes";

export type RouteName = keyof Routes;
/** What a client needs of a route at run time. */
export type Endpoint = Pick<RouteDef, "method" | "path" | "auth">;
export type Endpoints = { readonly [Name in RouteName]: Endpoint };

/** The route table without its schemas and handlers: the console's build inlines this. */
export const endpointsOf = (table: Record<string, RouteDef>) =>
  Object.fromEntries(Object.entries(table).map(([name, { method, path, auth }]) => [name, { method, path, auth }])) as Endpoints;

// A coerced query field (`z.coerce.number()`) takes `unknown`: on the URL it is a string or a number.
type Wire<T> = unknown extends T ? string | number | boolean : T;
type QueryInput<T> = { [Field in keyof T]: Wire<T[Field]> };
/** The body of a POST route, the query of a GET route, as the client gives it (before defaults and transforms). */
export type InputOf<Name extends RouteName> =
  Routes[Name] extends RouteDef<infer Body, infer Query, any>
    ? // Not distributive: a route helper that leaves Body out types it as its constraint, `ZodMiniType | undefined`.
      [Body] extends [z.ZodMiniType]
      ? z.input<Body>
      : [Query] extends [z.ZodMiniObject]
        ? QueryInput<z.input<Query>>
        : undefined
    : never;
export type ResponseOf<Name extends RouteName> = DataOf<Routes[Name]>;

/** The API answered with a business code (API.md), or with something that is not an envelope (100001, 100004). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status = 0,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  endpoints: Endpoints;
  baseUrl: string;
  /** The bearer token, asked for by routes with `auth: "jwt"` only; the others are called anonymously. */
  token: () => string | null | undefined;
  /** A `fetch`: what it throws (no network, aborted) reaches the caller as it is. */
  fetch: (url: URL, init: RequestInit) => Promise<Response>;
  /** Sees each ApiError before it is thrown, and may throw another in its place. */
  onError?: (error: ApiError, endpoint: Endpoint) => void;
}

type Init = { signal?: AbortSignal };
/** The input may be left out when the route takes none or every field is optional. */
type Args<Name extends RouteName> =
  undefined extends InputOf<Name>
    ? [input?: InputOf<Name>, init?: Init]
    : {} extends InputOf<Name>
      ? [input?: InputOf<Name>, init?: Init]
      : [input: InputOf<Name>, init?: Init];

/** `call(name, input)`: the envelope's data, or an ApiError with the business code. */
export const createClient =
  ({ endpoints, baseUrl, token, fetch, onError }: ClientOptions) =>
  async <Name extends RouteName>(name: Name, ...[input, init]: Args<Name>): Promise<ResponseOf<Name>> => {
    const endpoint = endpoints[name];
    const { method, path, auth } = endpoint;
    const url = new URL(baseUrl + path);
    const headers: Record<string, string> = { accept: "application/json" };
    const bearer = auth === "jwt" ? token() : undefined;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    let body: string | undefined;
    if (method === "GET") {
      for (const [key, value] of Object.entries((input ?? {}) as Record<string, unknown>)) {
        if (value === undefined || value === null || value === "") continue;
        for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(one));
      }
    } else {
      headers["content-type"] = "application/json";
      body = JSON.stringify(input ?? {});
    }
    const res = await fetch(url, { method, headers, body, signal: init?.signal });
    const envelope = (await res.json().catch(() => undefined)) as { code?: unknown; msg?: string; data?: unknown } | undefined;
    let error: ApiError | undefined;
    if (typeof envelope?.code !== "number")
      error = new ApiError(!res.ok && res.status === 404 ? 100004 : 100001, `unexpected HTTP ${res.status} from ${path}`, res.status);
    else if (envelope.code !== 200 || !res.ok) error = new ApiError(envelope.code, envelope.msg ?? "", res.status);
    if (!error) return envelope!.data as ResponseOf<Name>;
    onError?.(error, endpoint);
    throw error;
  };

export type Call = ReturnType<typeof createClient>;
