import * as z from "zod/mini";
import { fileItem, pathEntry } from "./files";
import { defineRoute, folderRef, identity, page, pageSize, unixSeconds } from "./route";
import { zipItems, zipJob, zipShareErrors } from "./zip";

/** Extraction codes use letters and digits nobody confuses when reading them aloud: no 0/O, 1/I/L. */
export const SHARE_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
export const SHARE_CODE_LENGTH = 4;

const codeRule = new RegExp(`^[${SHARE_CODE_ALPHABET}]{${SHARE_CODE_LENGTH}}$`);
/** Codes are compared case-insensitively: people type them in lower case. */
const upper = (s: string) => s.toUpperCase();
const newCode = z
  .pipe(z.string().check(z.trim()), z.transform(upper))
  .check(
    z.refine(
      (s) => s === "" || codeRule.test(s),
      `must be ${SHARE_CODE_LENGTH} characters from ${SHARE_CODE_ALPHABET}, or "" to remove the code`,
    ),
  );
/** A visitor's guess: any short string; a wrong one is a wrong code (403), not bad input. */
const givenCode = z.optional(z.pipe(z.string().check(z.trim(), z.maxLength(16, "must be at most 16 characters")), z.transform(upper)));
// A JWS in compact form: what validate hands out is about 250 characters of base64url.
const shareToken = z
  .optional(
    z
      .string()
      .check(
        z.maxLength(2048),
        z.regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, "must be the shareToken that validate returned"),
      ),
  )
  .check(z.describe("from validate; replaces the code"));
// JSON Schema would call a literal of numbers `type: number`: these are integers.
const oneOf = <const T extends readonly number[]>(values: T, error?: string) =>
  z.literal(values, { error }).check(z.meta({ type: "integer", enum: [...values] }));
const expiredType = oneOf([0, 1, 7, 30], "must be 0 (never), 1, 7 or 30 (days)");
const expiredTime = unixSeconds.check(z.describe("when the share expires (Unix seconds); 0 = never"));
const expireAt = unixSeconds.check(z.describe("expire at this time (Unix seconds, in the future) instead of after expiredType days"));
const limit = (what: string) =>
  z
    .nullable(z.int().check(z.positive("must be at least 1"), z.maximum(1_000_000, "must be at most 1000000")))
    .check(z.describe(`after this many ${what} the link answers 410; null = no limit`));
/** The limits a link can carry, on create and update. */
const limits = {
  downloadLimit: z.optional(limit("downloads (download URLs and zips)")),
  viewLimit: z.optional(limit("views (visitors opening the share with validate)")),
  previewOnly: z.optional(z.boolean().check(z.describe("detail and preview only: download, save and zip answer 403 400013"))),
};
const identities = z
  .array(identity)
  .check(z.minLength(1, "must name at least one share"), z.maxLength(1000, "must name at most 1000 shares"));

export const shareStatus = oneOf([0, 1, 2, 3]).check(z.describe("0 normal, 1 banned, 2 cancelled, 3 expired"));

export const shareItem = z.object({
  identity: z.string(),
  fileIdentity: z.string(),
  fileName: z.string(),
  isDir: z.boolean(),
  code: z.string().check(z.describe('"" when the share has no code')),
  expiredTime,
  clickNum: z.int().check(z.describe("views by visitors")),
  saveNum: z.int(),
  downloadNum: z.int(),
  downloadLimit: z.nullable(z.int()),
  viewLimit: z.nullable(z.int()),
  previewOnly: z.boolean(),
  status: shareStatus,
  createTime: unixSeconds,
});
export type ShareItem = z.infer<typeof shareItem>;

const publicShare = z.object({
  identity: z.string(),
  fileName: z.string(),
  isDir: z.boolean(),
  size: z.int(),
  sharerName: z.string(),
  expiredTime,
  previewOnly: z.boolean(),
});

/** How a visitor proves access on the public endpoints: the code (if the share has one) or a share token. */
const access = { identity, code: givenCode, shareToken };
/** The same proof for a share named beside other fields (a preview of a share's file). */
export const shareAccess = { shareIdentity: identity, code: givenCode, shareToken };

const area = "Shares";
const route = <B extends z.ZodMiniType | undefined, Q extends z.ZodMiniObject | undefined, D extends z.ZodMiniType>(
  def: Omit<Parameters<typeof defineRoute<B, Q, D>>[0], "tag">,
) => defineRoute<B, Q, D>({ ...def, tag: area });

const publicErrors = [
  "SHARE_NOT_FOUND",
  "SHARE_EXPIRED",
  "SHARE_CANCELLED",
  "SHARE_BANNED",
  "SHARE_OWNER_DISABLED",
  "SHARE_DOWNLOAD_LIMIT_REACHED",
  "SHARE_VIEW_LIMIT_REACHED",
  "SHARED_FILE_GONE",
  "WRONG_SHARE_CODE",
  "TOO_MANY_REQUESTS",
  "UNAUTHORIZED",
] as const;

export const shareRoutes = {
  create: route({
    method: "POST",
    path: "/share/v1/share/create",
    handler: "functions/http/share/create.ts",
    auth: "jwt",
    summary: "Share one of my files or folders; the link is `url`, the optional code is drawn at random",
    body: z
      .object({
        fileIdentity: identity,
        expiredType: z.optional(expiredType),
        expireAt: z.optional(expireAt),
        hasCode: z.boolean(),
        ...limits,
      })
      .check(
        z.refine((b) => (b.expiredType === undefined) !== (b.expireAt === undefined), {
          message: "give either expiredType or expireAt",
          path: ["expiredType"],
        }),
      ),
    data: z.object({ identity: z.string(), code: z.string(), url: z.string(), expiredTime }),
    errors: ["FILE_NOT_FOUND"],
  }),
  list: route({
    method: "GET",
    path: "/share/v1/share/list",
    handler: "functions/http/share/list.ts",
    auth: "jwt",
    summary: "My shares, newest first, with their counters (a share past its time shows status 3)",
    query: z.object({ page, pageSize }),
    data: z.object({ list: z.array(shareItem), total: z.int(), page: z.int(), pageSize: z.int() }),
  }),
  update: route({
    method: "POST",
    path: "/share/v1/share/update",
    handler: "functions/http/share/update.ts",
    auth: "jwt",
    summary:
      "Change a share's expiry (expiredType counted from now, or expireAt), code and limits; a new code revokes share tokens and restarts the wrong-code throttle; a limit at or below the count so far closes the link",
    body: z
      .object({ identity, expiredType: z.optional(expiredType), expireAt: z.optional(expireAt), code: z.optional(newCode), ...limits })
      .check(
        z.refine((b) => Object.keys(b).some((k) => k !== "identity" && b[k as keyof typeof b] !== undefined), {
          message: "give at least one of expiredType, expireAt, code, downloadLimit, viewLimit, previewOnly",
          path: ["expiredType"],
        }),
        z.refine((b) => b.expiredType === undefined || b.expireAt === undefined, {
          message: "give either expiredType or expireAt",
          path: ["expireAt"],
        }),
      ),
    data: z.object({ share: shareItem }),
    errors: ["SHARE_NOT_FOUND", "SHARE_EXPIRED", "SHARE_CANCELLED", "SHARE_BANNED"],
  }),
  cancel: route({
    method: "POST",
    path: "/share/v1/share/cancel",
    handler: "functions/http/share/cancel.ts",
    auth: "jwt",
    summary: "Cancel shares (all or nothing); cancelledCount counts the ones that were not cancelled already",
    body: z.object({ identities }),
    data: z.object({ cancelledCount: z.int() }),
    errors: ["SHARE_NOT_FOUND"],
  }),
  info: route({
    method: "GET",
    path: "/share/v1/share/info",
    handler: "functions/http/share/info.ts",
    auth: "none",
    summary: "What the share page shows before the code is entered: who shares, until when, whether a code is needed; no file names",
    query: z.object({ identity }),
    data: z.object({ sharerName: z.string(), expiredTime, hasCode: z.boolean(), previewOnly: z.boolean() }),
    errors: publicErrors.filter((e) => e !== "WRONG_SHARE_CODE" && e !== "UNAUTHORIZED"),
  }),
  validate: route({
    method: "POST",
    path: "/share/v1/share/validate",
    handler: "functions/http/share/validate.ts",
    auth: "optional",
    summary:
      "Open a share with its code (a view, counted against the view limit; the owner's own views are not counted): a summary and a short-lived shareToken for detail, download and save, which a share with a view limit requires even without a code. Wrong codes are throttled per client address (then 429, the right code included), and per share from many addresses (then one check per address and hour); the owner, signed in, needs no code",
    body: z.object({ identity, code: givenCode }),
    data: z.object({ share: publicShare, shareToken: z.string(), shareTokenExpire: unixSeconds }),
    errors: publicErrors,
  }),
  detail: route({
    method: "GET",
    path: "/share/v1/share/detail",
    handler: "functions/http/share/detail.ts",
    auth: "none",
    summary:
      "Browse a share level by level: parentId is the shared folder or a folder inside it (anything else is not found); path starts at the shared item",
    query: z.object({ ...access, parentId: z.optional(folderRef), page, pageSize: z._default(pageSize, 1000) }),
    data: z.object({
      file: fileItem,
      sharerName: z.string(),
      expiredTime,
      previewOnly: z.boolean(),
      children: z.optional(z.array(fileItem)).check(z.describe("the folder's items, folders first, by name")),
      total: z.optional(z.int()).check(z.describe("number of children")),
      path: z.array(pathEntry),
    }),
    errors: [...publicErrors, "FILE_NOT_FOUND"],
  }),
  download: route({
    method: "GET",
    path: "/share/v1/share/download",
    handler: "functions/http/share/download.ts",
    auth: "none",
    summary:
      "A presigned GET for a file inside the share (the shared file itself when fileIdentity is omitted); each counts against the download limit",
    query: z.object({ ...access, fileIdentity: z.optional(identity) }),
    data: z.object({ url: z.string(), expiresAt: unixSeconds }),
    errors: [...publicErrors, "FILE_NOT_FOUND", "SHARE_PREVIEW_ONLY"],
  }),
  save: route({
    method: "POST",
    path: "/share/v1/share/save",
    handler: "functions/http/share/save.ts",
    auth: "jwt",
    summary:
      "Link items of a share (whole subtrees) into my folder: no bytes copied, counts against my quota, all or nothing; the owner needs no code",
    body: z.object({
      ...access,
      fileIdentities: z
        .array(identity)
        .check(z.minLength(1, "must name at least one item"), z.maxLength(1000, "must name at most 1000 items")),
      targetFolderId: z.optional(folderRef),
    }),
    data: z.object({ savedCount: z.int() }),
    errors: [...publicErrors, "FILE_NOT_FOUND", "FOLDER_NOT_FOUND", "QUOTA_EXCEEDED", "MOVE_INTO_SELF", "SHARE_PREVIEW_ONLY"],
  }),
  zip: route({
    method: "POST",
    path: "/share/v1/share/zip",
    handler: "functions/http/share/zip.ts",
    auth: "none",
    summary:
      "Pack items of the share (the shared item itself when fileIdentities is omitted) into one zip in the background, as /file/v1/zip/create does; counts one download. Larger than ZIP_MAX_BYTES or ZIP_MAX_ENTRIES: 413 300040",
    body: z.object({ ...access, fileIdentities: z.optional(zipItems) }),
    data: zipJob,
    errors: [...zipShareErrors, "FILE_NOT_FOUND", "ZIP_TOO_LARGE"],
  }),
  zipStatus: route({
    method: "GET",
    path: "/share/v1/share/zip/status",
    handler: "functions/http/share/zip-status.ts",
    auth: "none",
    summary: "A zip job of the share: its progress, and once done a presigned GET named after the zip; a job of anything else is not found",
    query: z.object({ ...access, id: identity }),
    data: zipJob,
    errors: [...zipShareErrors, "ZIP_JOB_NOT_FOUND"],
  }),
};
