import { type RouteDef, ZIP_KEY_PREFIX } from "@polaris/contract";
import type { Access } from "./lib/functions";

/**
 * What each HTTP endpoint touches, keyed by "METHOD path" as in the route table (API.md is the
 * contract for these paths), read off the use cases in packages/core. Every endpoint gets the
 * database (the composition root opens it) and the JWT secret (it signs or verifies tokens).
 * Every POST gets the KV table (Idempotency-Key) and the event bus: after a POST the HTTP stack
 * publishes pending outbox rows (runtime/http.ts). Routes not listed here need nothing else.
 */
const EXTRA: Record<string, Access> = {
  // Uploads: presigned PUTs and parts are signed with the function's own credentials.
  "POST /file/v1/upload/instant": { bucket: ["read"], schedules: true }, // proof of possession: readRange; version.prune (onConflict "version")
  "POST /file/v1/upload/presign": { bucket: ["write"], schedules: true }, // presignPut, createMultipart; upload.expire
  "POST /file/v1/upload/parts": { bucket: ["write", "multipart"] }, // listParts, presignPart
  // listParts, completeMultipart, copy to the blob key, head, sha256, delete; cancels upload.expire
  "POST /file/v1/upload/callback": { bucket: ["read", "write", "delete", "multipart"], schedules: true },
  "POST /file/v1/upload/abort": { bucket: ["delete", "multipart"], schedules: true }, // closeUpload; cancels upload.expire
  "GET /file/v1/file/download": { bucket: ["read"] }, // presignGet
  // Versions: a restore schedules version.prune; a delete drops a reference (the object once nobody holds one).
  "GET /file/v1/file/version/download": { bucket: ["read"] },
  "POST /file/v1/file/version/restore": { schedules: true },
  "POST /file/v1/file/version/delete": { bucket: ["delete"] },
  "GET /file/v1/file/preview": { bucket: ["read"] }, // presignGet (inline)
  "POST /file/v1/file/delete": { schedules: true }, // moveToTrash schedules trash.purge
  "POST /file/v1/trash/restore": { schedules: true }, // cancels trash.purge
  "POST /file/v1/trash/delete": { bucket: ["delete"] }, // purge: objects nobody references
  "POST /file/v1/trash/clear": { bucket: ["delete"] },
  // Shares: expiry is a scheduled job; wrong codes are rate-limited in the KV table.
  "POST /share/v1/share/create": { schedules: true },
  "POST /share/v1/share/update": { schedules: true },
  "POST /share/v1/share/cancel": { schedules: true },
  "GET /share/v1/share/detail": { kv: true },
  "GET /share/v1/share/download": { kv: true, bucket: ["read"] },
  "GET /share/v1/share/preview": { kv: true, bucket: ["read"] },
  // Accounts: the profile answers with the avatar's presigned GET.
  "GET /usercenter/v1/user/info": { bucket: ["read"] },
  "POST /usercenter/v1/user/profile": { bucket: ["read"] },
  // Search reads the index only.
  "GET /search/v1/search/files": { search: "read" },
  "GET /search/v1/search/stats": { search: "read" },
  // Zips: creating one throttles (KV, as every POST); a status signs the zip's GET; a share's checks its code (KV).
  "GET /file/v1/zip/status": { bucket: ["read"], bucketKeys: { read: ZIP_KEY_PREFIX } },
  "GET /share/v1/share/zip/status": { kv: true, bucket: ["read"], bucketKeys: { read: ZIP_KEY_PREFIX } },
};

/** A Polaris-IO compatibility route (packages/contract/src/compat.ts) touches what the Polaris route it maps onto does. */
const MAPS_ONTO: Record<string, string> = {
  "POST /file/v1/upload/check": "POST /file/v1/upload/instant",
  "POST /file/v1/upload/complete": "POST /file/v1/upload/callback",
  "GET /file/v1/list": "GET /file/v1/file/list",
  "GET /file/v1/detail": "GET /file/v1/file/detail",
  "GET /file/v1/download": "GET /file/v1/file/download",
  "POST /file/v1/move": "POST /file/v1/file/move",
  "POST /file/v1/rename": "POST /file/v1/file/rename",
  "POST /file/v1/copy": "POST /file/v1/file/copy",
  "POST /file/v1/delete": "POST /file/v1/file/delete",
  "POST /share/v1/create": "POST /share/v1/share/create",
  "GET /share/v1/list": "GET /share/v1/share/list",
  "POST /share/v1/cancel": "POST /share/v1/share/cancel",
  "POST /share/v1/update": "POST /share/v1/share/update",
  "POST /share/v1/save": "POST /share/v1/share/save",
  "GET /share/v1/detail": "GET /share/v1/share/detail",
  "GET /share/v1/download": "GET /share/v1/share/download",
  "GET /search/v1/files": "GET /search/v1/search/files",
  "GET /search/v1/stats": "GET /search/v1/search/stats",
};

/** Operational routes: no secrets to sign with. */
const OPS = new Set(["GET /healthz", "GET /openapi.json", "GET /docs", "GET /docs/assets"]);

export const routeKey = (route: Pick<RouteDef, "method" | "path">) => `${route.method} ${route.path}`;

export function httpAccess(route: RouteDef): Access {
  const key = routeKey(route);
  const extra = EXTRA[MAPS_ONTO[key] ?? key] ?? {};
  return {
    db: true,
    jwt: !OPS.has(key),
    kv: route.method === "POST" || extra.kv === true,
    events: route.method === "POST",
    ...(extra.bucket ? { bucket: extra.bucket } : {}),
    ...(extra.bucketKeys ? { bucketKeys: extra.bucketKeys } : {}),
    ...(extra.search ? { search: extra.search } : {}),
    ...(extra.schedules ? { schedules: true } : {}),
  };
}

/** Keys of {@link EXTRA}, for the test that keeps this table in step with the route table. */
export const endpointsWithExtraAccess = () => Object.keys(EXTRA);
