import type { RouteDef } from "@polaris/contract";
import type { Access } from "./lib/functions";

/**
 * What each HTTP endpoint touches, keyed by "METHOD path" as in the route table (API.md is the
 * contract for these paths). Every endpoint gets the database (the composition root opens it) and
 * the JWT secret (it signs or verifies tokens); POSTs get the KV table (Idempotency-Key). Routes
 * not listed here get exactly that, which is right for a plain read/write of the database; an
 * endpoint that moves bytes, emits events, schedules jobs or searches is listed below.
 */
const EXTRA: Record<string, Access> = {
  // Uploads: presigned PUT/parts are signed with the function's own credentials.
  "POST /file/v1/upload/instant": { bucket: ["read"], events: true },
  "POST /file/v1/upload/presign": { bucket: ["write"], schedules: true },
  "POST /file/v1/upload/parts": { bucket: ["write", "multipart"] },
  "POST /file/v1/upload/callback": { bucket: ["read", "write", "delete", "multipart"], events: true, schedules: true },
  "POST /file/v1/upload/abort": { bucket: ["delete", "multipart"], schedules: true },
  "GET /file/v1/file/download": { bucket: ["read"] },
  // Namespace changes write outbox rows that are published after commit.
  "POST /file/v1/folder/create": { events: true },
  "POST /file/v1/file/rename": { events: true },
  "POST /file/v1/file/move": { events: true },
  "POST /file/v1/file/copy": { events: true },
  "POST /file/v1/file/delete": { events: true, schedules: true },
  "POST /file/v1/trash/restore": { events: true, schedules: true },
  "POST /file/v1/trash/delete": { events: true, schedules: true, bucket: ["delete"] },
  "POST /file/v1/trash/clear": { events: true, schedules: true, bucket: ["delete"] },
  // Shares: expiry is a scheduled job; wrong codes are rate-limited in the KV table.
  "POST /share/v1/share/create": { schedules: true },
  "POST /share/v1/share/update": { schedules: true },
  "POST /share/v1/share/cancel": { schedules: true },
  "GET /share/v1/share/detail": { kv: true },
  "GET /share/v1/share/download": { kv: true, bucket: ["read"] },
  "POST /share/v1/share/save": { events: true },
  // Search reads the index only.
  "GET /search/v1/search/files": { search: "read" },
  "GET /search/v1/search/stats": { search: "read" },
};

/** Operational routes: no secrets to sign with. */
const OPS = new Set(["GET /healthz", "GET /openapi.json", "GET /docs"]);

export const routeKey = (route: Pick<RouteDef, "method" | "path">) => `${route.method} ${route.path}`;

export function httpAccess(route: RouteDef): Access {
  const key = routeKey(route);
  const extra = EXTRA[key] ?? {};
  return {
    db: true,
    jwt: !OPS.has(key),
    kv: route.method === "POST" || extra.kv === true,
    ...(extra.bucket ? { bucket: extra.bucket } : {}),
    ...(extra.events ? { events: true } : {}),
    ...(extra.search ? { search: extra.search } : {}),
    ...(extra.schedules ? { schedules: true } : {}),
  };
}

/** Keys of {@link EXTRA}, for the test that keeps this table in step with the route table. */
export const endpointsWithExtraAccess = () => Object.keys(EXTRA);
