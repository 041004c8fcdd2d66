import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";
import type { ErrorName } from "./errors";

// zod/mini installs no locale (classic zod installs English itself): without one, every message a
// schema does not set would be "Invalid input". Whatever validates loads this module, through @polaris/contract.
z.config(en());

export type HttpMethod = "GET" | "POST";
/** "optional": public, but a bearer token, when sent, must be valid and names the caller (an owner on their own share). */
export type Auth = "jwt" | "optional" | "none";

/**
 * One row of the route table: everything the local gateway, the API stack and the OpenAPI
 * generator need to know about an endpoint. `handler` is the Lambda entry module, relative to
 * the repository root, exporting `handler`.
 */
export interface RouteDef<
  Body extends z.ZodMiniType | undefined = z.ZodMiniType | undefined,
  Query extends z.ZodMiniObject | undefined = z.ZodMiniObject | undefined,
  Data extends z.ZodMiniType = z.ZodMiniType,
> {
  method: HttpMethod;
  path: string;
  handler: string;
  auth: Auth;
  tag: string;
  summary: string;
  body?: Body;
  query?: Query;
  data: Data;
  /** Business errors this route can answer with, beyond the ones every route can. */
  errors?: readonly ErrorName[];
  /** Raw responses (HTML, the OpenAPI document) skip the envelope. */
  raw?: boolean;
  /** Files the handler reads at run time (paths from the repository root), shipped beside its Lambda bundle. */
  files?: readonly string[];
  /** "admin": only administrators (a `jwt` route); to anyone else signed in it answers as a route that does not exist (404). */
  role?: "admin";
  /**
   * Business errors answer with this HTTP status instead of the code table's (the Polaris-IO
   * compatibility routes: 400, as the original did); a bad token keeps 401 and a dependency's failure its 5xx.
   */
  errorStatus?: 400;
}

export const defineRoute = <
  Body extends z.ZodMiniType | undefined = undefined,
  Query extends z.ZodMiniObject | undefined = undefined,
  Data extends z.ZodMiniType = z.ZodMiniType,
>(
  route: RouteDef<Body, Query, Data>,
) => route;

export type BodyOf<R> = R extends RouteDef<infer B, any, any> ? (B extends z.ZodMiniType ? z.output<B> : undefined) : never;
export type QueryOf<R> = R extends RouteDef<any, infer Q, any> ? (Q extends z.ZodMiniObject ? z.output<Q> : undefined) : never;
export type DataOf<R> = R extends RouteDef<any, any, infer D> ? z.input<D> : never;

/** Shared field schemas. */
export const unixSeconds = z.int().check(z.nonnegative(), z.describe("Unix time in seconds"));
export const identity = z.uuid().check(z.describe("public identity of an item (UUID)"));
/** Folder identity or "0" for the root; omitted means the root. */
export const folderRef = z.union([z.literal("0"), z.uuid()]).check(z.describe('folder identity, "0" for the root'));
/** Polaris-IO's numeric folder id (its int64; 0 = the root), where its clients send one. */
export const folderId = z.int().check(z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER), z.describe("numeric folder id, 0 for the root"));
/** A folder as Polaris's clients name it (identity or "0") or as Polaris-IO's do (numeric id). */
export const folderRefOrId = z.union([folderRef, folderId]);
/** Free text the server stores or searches for: PostgreSQL text cannot hold NUL, and no name needs control characters. */
export const plainText = (schema: z.ZodMiniString) =>
  schema.check(z.regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters"));
export const page = z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1_000_000)), 1);
export const pageSize = z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1000)), 50);
/** A whole number in a query string: digits only, since coercing would read an empty `maxSize=` as 0. */
export const wholeNumberParam = z
  .pipe(
    z.unknown().check(z.refine((v) => v !== "", "must be a whole number")),
    z.coerce.number().check(z.int(), z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER)),
  )
  .check(z.meta({ type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER }));
