import { z } from "zod";
import type { ErrorName } from "./errors";

export type HttpMethod = "GET" | "POST";
export type Auth = "jwt" | "none";

/**
 * One row of the route table: everything the local gateway, the API stack and the OpenAPI
 * generator need to know about an endpoint. `handler` is the Lambda entry module, relative to
 * the repository root, exporting `handler`.
 */
export interface RouteDef<
  Body extends z.ZodType | undefined = z.ZodType | undefined,
  Query extends z.ZodObject | undefined = z.ZodObject | undefined,
  Data extends z.ZodType = z.ZodType,
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
}

export const defineRoute = <
  Body extends z.ZodType | undefined = undefined,
  Query extends z.ZodObject | undefined = undefined,
  Data extends z.ZodType = z.ZodType,
>(route: RouteDef<Body, Query, Data>) => route;

export type BodyOf<R> = R extends RouteDef<infer B, any, any> ? (B extends z.ZodType ? z.output<B> : undefined) : never;
export type QueryOf<R> = R extends RouteDef<any, infer Q, any> ? (Q extends z.ZodObject ? z.output<Q> : undefined) : never;
export type DataOf<R> = R extends RouteDef<any, any, infer D> ? z.input<D> : never;

/** Shared field schemas. */
export const unixSeconds = z.number().int().nonnegative().describe("Unix time in seconds");
export const identity = z.uuid().describe("public identity of an item (UUID)");
/** Folder identity or "0" for the root; omitted means the root. */
export const folderRef = z.union([z.literal("0"), z.uuid()]).describe('folder identity, "0" for the root');
/** Free text the server stores or searches for: PostgreSQL text cannot hold NUL, and no name needs control characters. */
export const plainText = (schema: z.ZodString) => schema.regex(/^[^\u0000-\u001f\u007f]*$/, "must not contain control characters");
export const page = z.coerce.number().int().min(1).max(1_000_000).default(1);
export const pageSize = z.coerce.number().int().min(1).max(1000).default(50);
