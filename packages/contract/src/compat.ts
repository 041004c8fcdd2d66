import * as z from "zod/mini";
import { fileName, fileRoutes, fileSize, sha256Hex } from "./files";
import { defineRoute, folderId, identity, page, plainText, unixSeconds, wholeNumberParam } from "./route";
import { searchQuery, searchStats } from "./search";
import { shareRoutes, shareStatus } from "./shares";

/**
 * The Polaris-IO compatibility routes: the original system's paths and shapes (its go-zero `.api`
 * files), each handler a mapping onto Polaris's use cases. Ten of the original's 28 routes share a
 * path with Polaris's own (register, login, info, quota, upload/presign, folder/create and the four
 * trash routes): those are Polaris's routes, answering a superset of both shapes. The other 18 are here.
 *
 * Business errors answer HTTP 400 with `{code,msg}`, as the original's `result.HttpResult` did; a
 * missing or bad token stays 401 and a dependency's failure stays 5xx.
 */
export const COMPAT_TAG = "Polaris-IO compatibility";

/** The same in a query string (go-zero's `form:"parentId,default=0"`). */
const folderIdParam = z._default(wholeNumberParam, 0);
/** The original's page sizes default to 20 (Polaris's to 50). */
const pageSize20 = z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(1000)), 20);

/** The original's FileItem: a numeric `id` and `parentId` beside the UUID `identity`. */
export const originalFileItem = z.object({
  id: z.int(),
  identity: z.string(),
  name: z.string(),
  ext: z.string(),
  size: z.int(),
  isDir: z.boolean(),
  parentId: z.int().check(z.describe("numeric parent folder id, 0 for the root")),
  createTime: unixSeconds,
  updateTime: unixSeconds,
});
export type OriginalFileItem = z.infer<typeof originalFileItem>;

/** The original's ShareFileInfo (what a visitor sees of a shared item). */
const shareFileInfo = z.object({ identity: z.string(), name: z.string(), ext: z.string(), size: z.int(), isDir: z.boolean() });

/** The original's ShareItem (the owner's list). */
const originalShareItem = z.object({
  id: z.int(),
  identity: z.string(),
  userId: z.int(),
  repositoryIdentity: z.string(),
  fileName: z.string(),
  fileExt: z.string(),
  fileSize: z.int(),
  isDir: z.boolean(),
  code: z.string(),
  clickNum: z.int(),
  expiredTime: unixSeconds,
  status: shareStatus,
  createTime: unixSeconds,
});

/** The original's search FileItem: `id` is the identity, `fileId` the numeric id. */
const originalSearchItem = z.object({
  id: z.string().check(z.describe("the item's identity (UUID)")),
  fileId: z.int(),
  name: z.string(),
  ext: z.string(),
  size: z.int(),
  isDir: z.boolean(),
  parentId: z.int(),
  createTime: unixSeconds,
  updateTime: unixSeconds,
});

const identities = fileRoutes.move.body!.shape.identities;
const { code: givenCode } = shareRoutes.detail.query!.shape;
// The same values as Polaris's (0, 1, 7, 30 days), required as the original required them.
const expiredType = shareRoutes.update.body!.shape.expiredType.def.innerType;
const mimeType = fileRoutes.uploadPresign.body!.shape.mimeType;
/** The original's `ext` field: Polaris derives the extension from the name, so it is accepted and not used. */
const ext = z.optional(plainText(z.string().check(z.maxLength(255))));

const route = <B extends z.ZodMiniType | undefined, Q extends z.ZodMiniObject | undefined, D extends z.ZodMiniType>(
  def: Omit<Parameters<typeof defineRoute<B, Q, D>>[0], "tag" | "errorStatus">,
) => defineRoute<B, Q, D>({ ...def, tag: COMPAT_TAG, errorStatus: 400 });

export const compatRoutes = {
  uploadCheck: route({
    method: "POST",
    path: "/file/v1/upload/check",
    handler: "functions/http/compat/upload-check.ts",
    auth: "jwt",
    summary:
      'Polaris-IO instant upload. Never links content on a hash alone: without `proof` it answers exists:false (upload the bytes instead); `proof: ""` asks for a challenge (exists:false with `challenge`), and the proof of upload/instant links the content (exists:true with identity)',
    body: z.object({
      hash: sha256Hex,
      size: fileSize,
      name: fileName,
      ext,
      parentId: z.optional(folderId),
      proof: z.optional(z.string().check(z.regex(/^$|^[0-9a-fA-F]{64}$/, 'must be a SHA-256 hex digest, or "" to ask for a challenge'))),
    }),
    data: z.object({
      exists: z.boolean(),
      identity: z.optional(z.string()),
      challenge: z.optional(z.object({ offset: z.int(), length: z.int(), nonce: z.string() })),
    }),
    errors: ["PROOF_REQUIRED", "QUOTA_EXCEEDED", "INVALID_FILE_NAME", "PARENT_NOT_FOUND", "NAME_CONFLICT", "STORAGE_UNAVAILABLE"],
  }),
  uploadComplete: route({
    method: "POST",
    path: "/file/v1/upload/complete",
    handler: "functions/http/compat/upload-complete.ts",
    auth: "jwt",
    summary:
      "Polaris-IO upload completion: verifies the stored bytes against what presign declared, exactly as upload/callback does (the other fields are accepted; presign's declaration is the one checked)",
    body: z.object({
      uploadKey: identity,
      hash: z.optional(sha256Hex),
      size: z.optional(fileSize),
      name: z.optional(z.string()),
      ext,
      mimeType,
      parentId: z.optional(folderId),
    }),
    data: z.object({ identity: z.string() }),
    errors: ["UPLOAD_NOT_FOUND", "UPLOAD_INCOMPLETE", "CONTENT_MISMATCH", "STORAGE_UNAVAILABLE"],
  }),
  list: route({
    method: "GET",
    path: "/file/v1/list",
    handler: "functions/http/compat/list.ts",
    auth: "jwt",
    summary: "Polaris-IO folder listing by numeric id: folders first, then by orderBy (none: newest first)",
    query: z.object({
      parentId: folderIdParam,
      page,
      pageSize: pageSize20,
      orderBy: z.optional(fileRoutes.list.query!.shape.orderBy.def.innerType),
      order: fileRoutes.list.query!.shape.order,
    }),
    data: z.object({ list: z.array(originalFileItem), total: z.int() }),
    errors: ["FOLDER_NOT_FOUND"],
  }),
  detail: route({
    method: "GET",
    path: "/file/v1/detail",
    handler: "functions/http/compat/detail.ts",
    auth: "jwt",
    summary: "Polaris-IO item detail with its path from the root (the item included), as items",
    query: z.object({ identity }),
    data: z.object({ file: originalFileItem, path: z.array(originalFileItem) }),
    errors: ["FILE_NOT_FOUND"],
  }),
  download: route({
    method: "GET",
    path: "/file/v1/download",
    handler: "functions/http/compat/download.ts",
    auth: "jwt",
    summary: "Polaris-IO download: a presigned GET URL",
    query: z.object({ identity }),
    data: z.object({ url: z.string(), expiresAt: unixSeconds }),
    errors: ["FILE_NOT_FOUND"],
  }),
  move: route({
    method: "POST",
    path: "/file/v1/move",
    handler: "functions/http/compat/move.ts",
    auth: "jwt",
    summary: "Polaris-IO move into a folder by numeric id; all or nothing",
    body: z.object({ identities, targetId: z._default(folderId, 0) }),
    data: z.object({ movedCount: z.int() }),
    errors: ["FILE_NOT_FOUND", "FOLDER_NOT_FOUND", "NAME_CONFLICT", "MOVE_INTO_SELF"],
  }),
  rename: route({
    method: "POST",
    path: "/file/v1/rename",
    handler: "functions/http/compat/rename.ts",
    auth: "jwt",
    summary: "Polaris-IO rename",
    body: z.object({ identity, name: fileName }),
    data: z.object({}),
    errors: ["FILE_NOT_FOUND", "INVALID_FILE_NAME", "NAME_CONFLICT"],
  }),
  copy: route({
    method: "POST",
    path: "/file/v1/copy",
    handler: "functions/http/compat/copy.ts",
    auth: "jwt",
    summary: "Polaris-IO copy into a folder by numeric id (no bytes copied; counts against quota; a clash gets ' (1)')",
    body: z.object({ identities, targetId: z._default(folderId, 0) }),
    data: z.object({ copiedCount: z.int() }),
    errors: ["FILE_NOT_FOUND", "FOLDER_NOT_FOUND", "QUOTA_EXCEEDED", "MOVE_INTO_SELF"],
  }),
  delete: route({
    method: "POST",
    path: "/file/v1/delete",
    handler: "functions/http/compat/delete.ts",
    auth: "jwt",
    summary: "Polaris-IO delete: to the recycle bin",
    body: z.object({ identities }),
    data: z.object({ deletedCount: z.int() }),
    errors: ["FILE_NOT_FOUND"],
  }),
  shareCreate: route({
    method: "POST",
    path: "/share/v1/create",
    handler: "functions/http/compat/share-create.ts",
    auth: "jwt",
    summary: "Polaris-IO share create (expiredType 0, 1, 7 or 30 days)",
    body: z.object({ repositoryIdentity: identity, expiredType, hasCode: z._default(z.boolean(), false) }),
    data: z.object({ identity: z.string(), code: z.string(), url: z.string(), expiredTime: unixSeconds }),
    errors: ["FILE_NOT_FOUND"],
  }),
  shareList: route({
    method: "GET",
    path: "/share/v1/list",
    handler: "functions/http/compat/share-list.ts",
    auth: "jwt",
    summary: "Polaris-IO: my shares, newest first",
    query: z.object({ page, pageSize: pageSize20 }),
    data: z.object({ list: z.array(originalShareItem), total: z.int() }),
  }),
  shareCancel: route({
    method: "POST",
    path: "/share/v1/cancel",
    handler: "functions/http/compat/share-cancel.ts",
    auth: "jwt",
    summary: "Polaris-IO share cancel (all or nothing)",
    body: shareRoutes.cancel.body,
    data: z.object({ cancelledCount: z.int() }),
    errors: ["SHARE_NOT_FOUND"],
  }),
  shareUpdate: route({
    method: "POST",
    path: "/share/v1/update",
    handler: "functions/http/compat/share-update.ts",
    auth: "jwt",
    summary:
      'Polaris-IO share update: expiredType counted from now; a code sets a new one ("" or "-1" or none: unchanged, as the original did)',
    body: z.object({
      identity,
      expiredType: z.optional(expiredType),
      code: z.optional(z.union([z.literal("-1"), shareRoutes.update.body!.shape.code.def.innerType])),
    }),
    data: z.object({}),
    errors: ["SHARE_NOT_FOUND", "SHARE_EXPIRED", "SHARE_CANCELLED", "SHARE_BANNED"],
  }),
  shareSave: route({
    method: "POST",
    path: "/share/v1/save",
    handler: "functions/http/compat/share-save.ts",
    auth: "jwt",
    summary: "Polaris-IO share save into a folder by numeric id (no fileIdentities: the shared item itself); stays inside the share",
    body: z.object({
      identity,
      code: givenCode,
      fileIdentities: z._default(z.array(identity).check(z.maxLength(1000, "must name at most 1000 items")), []),
      targetFolderId: z._default(folderId, 0),
    }),
    data: z.object({ savedCount: z.int() }),
    errors: [
      "SHARE_NOT_FOUND",
      "SHARE_EXPIRED",
      "SHARE_CANCELLED",
      "SHARE_BANNED",
      "SHARED_FILE_GONE",
      "WRONG_SHARE_CODE",
      "TOO_MANY_REQUESTS",
      "FILE_NOT_FOUND",
      "FOLDER_NOT_FOUND",
      "QUOTA_EXCEEDED",
    ],
  }),
  shareDetail: route({
    method: "GET",
    path: "/share/v1/detail",
    handler: "functions/http/compat/share-detail.ts",
    auth: "none",
    summary: "Polaris-IO share detail with its code (throttled as share/validate is); a folder's first 1000 children",
    query: z.object({ identity, code: givenCode }),
    data: z.object({ file: shareFileInfo, sharerName: z.string(), expiredTime: unixSeconds, children: z.array(shareFileInfo) }),
    errors: [
      "SHARE_NOT_FOUND",
      "SHARE_EXPIRED",
      "SHARE_CANCELLED",
      "SHARE_BANNED",
      "SHARED_FILE_GONE",
      "WRONG_SHARE_CODE",
      "TOO_MANY_REQUESTS",
    ],
  }),
  shareDownload: route({
    method: "GET",
    path: "/share/v1/download",
    handler: "functions/http/compat/share-download.ts",
    auth: "none",
    summary: "Polaris-IO share download: a presigned GET for an item inside the share (the shared file without fileIdentity)",
    query: z.object({ identity, code: givenCode, fileIdentity: z.optional(identity) }),
    data: z.object({ url: z.string(), expiresAt: unixSeconds }),
    errors: [
      "SHARE_NOT_FOUND",
      "SHARE_EXPIRED",
      "SHARE_CANCELLED",
      "SHARE_BANNED",
      "SHARED_FILE_GONE",
      "WRONG_SHARE_CODE",
      "TOO_MANY_REQUESTS",
      "FILE_NOT_FOUND",
    ],
  }),
  searchFiles: route({
    method: "GET",
    path: "/search/v1/files",
    handler: "functions/http/compat/search-files.ts",
    auth: "jwt",
    summary: "Polaris-IO search: the filters of search/files, items with id = identity, fileId and a numeric parentId",
    query: z.safeExtend(searchQuery, { pageSize: pageSize20 }),
    data: z.object({ total: z.int(), list: z.array(originalSearchItem) }),
    errors: ["FOLDER_NOT_FOUND", "SEARCH_UNAVAILABLE"],
  }),
  searchStats: route({
    method: "GET",
    path: "/search/v1/stats",
    handler: "functions/http/compat/search-stats.ts",
    auth: "jwt",
    summary: "Polaris-IO file and folder counts (with Polaris's sizes by extension)",
    data: searchStats,
    errors: ["SEARCH_UNAVAILABLE"],
  }),
};
