import * as z from "zod/mini";
import { defineRoute, folderRef, folderRefOrId, identity, page, pageSize, plainText, unixSeconds } from "./route";

export const sha256Hex = z.pipe(
  z.string().check(z.regex(/^[0-9a-fA-F]{64}$/, "must be a SHA-256 hex digest")),
  z.transform((s) => s.toLowerCase()),
);
export const fileSize = z.int().check(z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER), z.describe("bytes"));
// Character classes of the name rule, as regular-expression class bodies: the core check and the
// schema's pattern are built from the same text.
const controlsAndSeparators = String.raw`\u0000-\u001f\u007f-\u009f/\\`;
const invisibleCharacters = String.raw`\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff`;

/**
 * API.md's name rule, declared once: core refuses a name that breaks it (300012, checked after NFC)
 * and `fileName` states it to clients. The length counts code points, as JSON Schema's maxLength does.
 */
export const fileNameRule = {
  maxLength: 255,
  /** Control characters (C0, DEL, C1) and path separators. */
  controlOrSeparator: new RegExp(`[${controlsAndSeparators}]`),
  /**
   * Characters that change how a name reads without showing: bidi embeddings, overrides, isolates
   * and marks, zero-width characters, the BOM, line and paragraph separators
   * ("invoice\u202Efdp.exe" shows as "invoiceexe.pdf").
   */
  invisible: new RegExp(`[${invisibleCharacters}]`),
} as const;

// The rule is business (300012), so it is only stated here, not enforced: the schema itself refuses
// just a missing or empty name (100002), and the request size bounds the rest.
export const fileName = z.string().check(
  z.minLength(1, "must not be empty"),
  z.meta({
    maxLength: fileNameRule.maxLength,
    pattern: `^[^${controlsAndSeparators}${invisibleCharacters}]*$`,
    description: `1–${fileNameRule.maxLength} code points after NFC; no control characters, '/', '\\', bidi controls, zero-width characters, BOM or line/paragraph separators; no leading or trailing spaces; not '.' or '..' (else 300012)`,
  }),
);
const identities = z
  .array(identity)
  .check(z.minLength(1, "must name at least one item"), z.maxLength(1000, "must name at most 1000 items"));

export const fileItem = z.object({
  id: z.int(),
  identity: z.string(),
  name: z.string(),
  ext: z.string(),
  size: z.int(),
  isDir: z.boolean(),
  parentId: z.string().check(z.describe('parent folder identity, "0" for the root')),
  mimeType: z.string(),
  createTime: unixSeconds,
  updateTime: unixSeconds,
  thumbnailUrl: z.optional(
    z
      .string()
      .check(z.describe("a small WebP picture of an image's content, when one has been made (a presigned GET, stable for ten minutes)")),
  ),
});
export type FileItem = z.infer<typeof fileItem>;

export const trashItem = z.extend(fileItem, {
  deleteTime: unixSeconds,
  purgeTime: unixSeconds,
  originPath: z
    .string()
    .check(
      z.describe(
        'the folder it was deleted from, as a path ("/" for the root, "/a/b"); restoring puts it back there while that folder is not itself deleted, else in the root',
      ),
    ),
});
export const pathEntry = z.object({ identity: z.string(), name: z.string() });
const presignedPart = z.object({ partNumber: z.int(), url: z.string() });
const uploadedPart = z.object({ partNumber: z.int(), etag: z.string(), size: z.int() });
const fileResult = z.object({ identity: z.string(), file: fileItem });
/** S3 numbers the parts of a multipart upload from 1 to 10000. */
const partNumber = z.int().check(z.minimum(1), z.maximum(10000));
/** What an upload does when its folder already has an item of that name. */
export const onConflict = z
  ._default(z.enum(["rename", "version", "fail"]), "rename")
  .check(
    z.describe(
      'a name taken in the folder: "rename" adds " (n)" (the default), "version" makes the upload the current version of that file (a folder of that name: 300013), "fail" answers 409 300013',
    ),
  );
export type OnConflict = z.output<typeof onConflict>;
export const fileVersion = z.object({
  identity: z.string().check(z.describe("the version's own identity (not the file's)")),
  size: z.int(),
  hash: z.string().check(z.describe("SHA-256 of the content (hex)")),
  mimeType: z.string(),
  createTime: unixSeconds.check(z.describe("when this content was uploaded (or restored)")),
  uploader: z.string().check(z.describe("the name of the user who uploaded it")),
  current: z.boolean(),
});

const area = "Files";
const route = <B extends z.ZodMiniType | undefined, Q extends z.ZodMiniObject | undefined, D extends z.ZodMiniType>(
  def: Omit<Parameters<typeof defineRoute<B, Q, D>>[0], "auth" | "tag">,
) => defineRoute<B, Q, D>({ ...def, auth: "jwt", tag: area });

export const fileRoutes = {
  uploadInstant: route({
    method: "POST",
    path: "/file/v1/upload/instant",
    handler: "functions/http/file/upload-instant.ts",
    summary: "Instant upload of known content, with a proof of possession: sha256hex(utf8(nonce) ‖ bytes[offset, offset+length))",
    body: z.object({
      hash: sha256Hex,
      size: fileSize,
      name: fileName,
      parentId: z.optional(folderRef),
      onConflict,
      proof: z.optional(z.string().check(z.regex(/^[0-9a-fA-F]{64}$/, "must be a SHA-256 hex digest"))),
    }),
    data: z.union([
      z.object({ exists: z.literal(false) }),
      z.object({ exists: z.literal(true), challenge: z.object({ offset: z.int(), length: z.int(), nonce: z.string() }) }),
      z.object({ exists: z.literal(true), identity: z.string(), file: fileItem }),
    ]),
    errors: ["PROOF_REQUIRED", "QUOTA_EXCEEDED", "INVALID_FILE_NAME", "PARENT_NOT_FOUND", "NAME_CONFLICT", "STORAGE_UNAVAILABLE"],
  }),
  uploadPresign: route({
    method: "POST",
    path: "/file/v1/upload/presign",
    handler: "functions/http/file/upload-presign.ts",
    summary: "Reserve quota and get presigned URL(s) to upload straight to storage",
    body: z.object({
      hash: sha256Hex,
      size: fileSize,
      name: fileName,
      parentId: z.optional(folderRefOrId),
      onConflict,
      ext: z.optional(
        plainText(z.string().check(z.maxLength(255))).check(
          z.describe(
            "Polaris-IO's field, not used (the extension comes from the name); a request that has it is answered as Polaris-IO answered: one PUT URL whatever the size, signing no checksum",
          ),
        ),
      ),
      mimeType: z.optional(
        z
          .string()
          .check(
            z.maxLength(255),
            z.regex(
              /^$|^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+( *;[\x20-\x7e]*)?$/,
              'must be a media type such as "text/plain", or ""',
            ),
          ),
      ),
    }),
    data: z.object({
      uploadKey: z.string(),
      mode: z.enum(["single", "multipart"]),
      uploadUrl: z.optional(z.string()),
      headers: z.optional(z.record(z.string(), z.string())),
      partSize: z.optional(z.int()),
      parts: z.optional(z.array(presignedPart)),
      expiresAt: unixSeconds,
    }),
    errors: ["QUOTA_EXCEEDED", "FILE_TOO_LARGE", "INVALID_FILE_NAME", "PARENT_NOT_FOUND", "NAME_CONFLICT", "STORAGE_UNAVAILABLE"],
  }),
  uploadParts: route({
    method: "POST",
    path: "/file/v1/upload/parts",
    handler: "functions/http/file/upload-parts.ts",
    summary: "Resume a multipart upload: the parts stored whole (right size) and fresh URLs for every other part",
    body: z.object({ uploadKey: identity, partNumbers: z.optional(z.array(partNumber).check(z.maxLength(10000))) }),
    data: z.object({ uploaded: z.array(uploadedPart), parts: z.array(presignedPart) }),
    errors: ["UPLOAD_NOT_FOUND", "STORAGE_UNAVAILABLE"],
  }),
  uploadCallback: route({
    method: "POST",
    path: "/file/v1/upload/callback",
    handler: "functions/http/file/upload-callback.ts",
    summary:
      "Confirm an upload (completes a multipart one from the parts storage holds whole; `parts` is accepted for compatibility and not needed); idempotent",
    body: z.object({
      uploadKey: identity,
      parts: z.optional(
        z.array(z.object({ partNumber, etag: z.string().check(z.minLength(1), z.maxLength(200)) })).check(z.maxLength(10000)),
      ),
    }),
    data: fileResult,
    errors: ["UPLOAD_NOT_FOUND", "UPLOAD_INCOMPLETE", "CONTENT_MISMATCH", "NAME_CONFLICT", "STORAGE_UNAVAILABLE"],
  }),
  uploadAbort: route({
    method: "POST",
    path: "/file/v1/upload/abort",
    handler: "functions/http/file/upload-abort.ts",
    summary: "Abandon an upload and release its reservation",
    body: z.object({ uploadKey: identity }),
    data: z.object({}),
    errors: ["UPLOAD_NOT_FOUND", "STORAGE_UNAVAILABLE"],
  }),
  list: route({
    method: "GET",
    path: "/file/v1/file/list",
    handler: "functions/http/file/list.ts",
    summary: "List a folder: folders first, then by orderBy; page/pageSize or keyset cursor",
    query: z.object({
      parentId: z.optional(folderRef),
      page,
      pageSize,
      cursor: z.optional(z.string().check(z.maxLength(512))),
      orderBy: z._default(z.enum(["name", "size", "create_time", "update_time"]), "name"),
      order: z._default(z.enum(["asc", "desc"]), "asc"),
    }),
    data: z.object({ list: z.array(fileItem), total: z.int(), page: z.int(), pageSize: z.int(), nextCursor: z.optional(z.string()) }),
    errors: ["FOLDER_NOT_FOUND"],
  }),
  detail: route({
    method: "GET",
    path: "/file/v1/file/detail",
    handler: "functions/http/file/detail.ts",
    summary: "One item with its breadcrumb from the root",
    query: z.object({ identity }),
    data: z.object({ file: fileItem, path: z.array(pathEntry) }),
    errors: ["FILE_NOT_FOUND"],
  }),
  download: route({
    method: "GET",
    path: "/file/v1/file/download",
    handler: "functions/http/file/download.ts",
    summary: "A presigned GET URL whose Content-Disposition carries the file's name",
    query: z.object({ identity }),
    data: z.object({ url: z.string(), expiresAt: unixSeconds }),
    errors: ["FILE_NOT_FOUND"],
  }),
  versions: route({
    method: "GET",
    path: "/file/v1/file/versions",
    handler: "functions/http/file/version-list.ts",
    summary: "A file's versions, the current one first, then the previous ones newest first",
    query: z.object({ identity }),
    data: z.object({ list: z.array(fileVersion) }),
    errors: ["FILE_NOT_FOUND"],
  }),
  versionDownload: route({
    method: "GET",
    path: "/file/v1/file/version/download",
    handler: "functions/http/file/version-download.ts",
    summary: "A presigned GET URL for one version's content, named as the file",
    query: z.object({ identity }),
    data: z.object({ url: z.string(), expiresAt: unixSeconds }),
    errors: ["VERSION_NOT_FOUND"],
  }),
  versionRestore: route({
    method: "POST",
    path: "/file/v1/file/version/restore",
    handler: "functions/http/file/version-restore.ts",
    summary: "Make a previous version's content a new current version (the current one becomes a previous version); counts against quota",
    body: z.object({ identity }),
    data: z.object({ file: fileItem, version: fileVersion }),
    errors: ["VERSION_NOT_FOUND", "VERSION_IS_CURRENT", "QUOTA_EXCEEDED"],
  }),
  versionDelete: route({
    method: "POST",
    path: "/file/v1/file/version/delete",
    handler: "functions/http/file/version-delete.ts",
    summary: "Delete a previous version for good (its space is released); the current version cannot be deleted",
    body: z.object({ identity }),
    data: z.object({}),
    errors: ["VERSION_NOT_FOUND", "VERSION_IS_CURRENT", "STORAGE_UNAVAILABLE"],
  }),
  createFolder: route({
    method: "POST",
    path: "/file/v1/folder/create",
    handler: "functions/http/file/folder-create.ts",
    summary: "Create a folder",
    body: z.object({ name: fileName, parentId: z.optional(folderRefOrId) }),
    data: fileResult,
    errors: ["INVALID_FILE_NAME", "NAME_CONFLICT", "PARENT_NOT_FOUND"],
  }),
  rename: route({
    method: "POST",
    path: "/file/v1/file/rename",
    handler: "functions/http/file/rename.ts",
    summary: "Rename a file or folder",
    body: z.object({ identity, name: fileName }),
    data: z.object({ file: fileItem }),
    errors: ["FILE_NOT_FOUND", "INVALID_FILE_NAME", "NAME_CONFLICT"],
  }),
  move: route({
    method: "POST",
    path: "/file/v1/file/move",
    handler: "functions/http/file/move.ts",
    summary: "Move items (whole subtrees) into a folder; all or nothing",
    body: z.object({ identities, targetId: folderRef }),
    data: z.object({ movedCount: z.int() }),
    errors: ["FILE_NOT_FOUND", "FOLDER_NOT_FOUND", "NAME_CONFLICT", "MOVE_INTO_SELF"],
  }),
  copy: route({
    method: "POST",
    path: "/file/v1/file/copy",
    handler: "functions/http/file/copy.ts",
    summary: "Copy items (whole subtrees, no bytes copied) into a folder; counts against quota; a name clash gets a ' (1)' suffix",
    body: z.object({ identities, targetId: folderRef }),
    data: z.object({ copiedCount: z.int() }),
    errors: ["FILE_NOT_FOUND", "FOLDER_NOT_FOUND", "QUOTA_EXCEEDED", "MOVE_INTO_SELF"],
  }),
  delete: route({
    method: "POST",
    path: "/file/v1/file/delete",
    handler: "functions/http/file/delete.ts",
    summary: "Move items (whole subtrees) to the recycle bin",
    body: z.object({ identities }),
    data: z.object({ deletedCount: z.int() }),
    errors: ["FILE_NOT_FOUND"],
  }),
  trashList: route({
    method: "GET",
    path: "/file/v1/trash/list",
    handler: "functions/http/file/trash-list.ts",
    summary: "The recycle bin, newest first",
    query: z.object({ page, pageSize }),
    data: z.object({ list: z.array(trashItem), total: z.int() }),
  }),
  trashRestore: route({
    method: "POST",
    path: "/file/v1/trash/restore",
    handler: "functions/http/file/trash-restore.ts",
    summary: "Restore items to their folder (or the root if it is gone); a name clash gets a ' (1)' suffix",
    body: z.object({ identities }),
    data: z.object({ restoredCount: z.int() }),
    errors: ["FILE_NOT_FOUND", "NOT_IN_TRASH"],
  }),
  trashDelete: route({
    method: "POST",
    path: "/file/v1/trash/delete",
    handler: "functions/http/file/trash-delete.ts",
    summary: "Delete items from the recycle bin for good; storage is released",
    body: z.object({ identities }),
    data: z.object({ deletedCount: z.int() }),
    errors: ["FILE_NOT_FOUND", "NOT_IN_TRASH", "STORAGE_UNAVAILABLE"],
  }),
  trashClear: route({
    method: "POST",
    path: "/file/v1/trash/clear",
    handler: "functions/http/file/trash-clear.ts",
    summary: "Empty the recycle bin",
    body: z.object({}),
    data: z.object({ deletedCount: z.int() }),
    errors: ["STORAGE_UNAVAILABLE"],
  }),
};
