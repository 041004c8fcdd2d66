import * as z from "zod/mini";
import { defineRoute, identity, unixSeconds } from "./route";
import { shareAccess } from "./shares";

const area = "Zip";
const route = <B extends z.ZodMiniType | undefined, Q extends z.ZodMiniObject | undefined, D extends z.ZodMiniType>(
  def: Omit<Parameters<typeof defineRoute<B, Q, D>>[0], "tag">,
) => defineRoute<B, Q, D>({ ...def, tag: area });

/** Where zips are stored: their own prefix, so IAM and a lifecycle rule can name them alone. */
export const ZIP_KEY_PREFIX = "zips/";

export const zipStatus = z.enum(["pending", "running", "done", "failed", "expired"]);
export type ZipStatus = z.infer<typeof zipStatus>;

const items = z.array(identity).check(z.minLength(1, "must name at least one item"), z.maxLength(1000, "must name at most 1000 items"));
// A share's visitors name the share (and prove access as on its other endpoints); without it, the caller's own items.
const shareFields = {
  shareIdentity: z.optional(shareAccess.shareIdentity).check(z.describe("zip items of this share (on the public share page)")),
  code: shareAccess.code,
  shareToken: shareAccess.shareToken,
};
const shareErrors = [
  "SHARE_NOT_FOUND",
  "SHARE_EXPIRED",
  "SHARE_CANCELLED",
  "SHARE_BANNED",
  "SHARED_FILE_GONE",
  "WRONG_SHARE_CODE",
  "SHARE_DOWNLOAD_LIMIT_REACHED",
  "SHARE_VIEW_LIMIT_REACHED",
  "SHARE_PREVIEW_ONLY",
] as const;

export const zipJob = z.object({
  id: z.string(),
  name: z.string().check(z.describe("the zip's file name")),
  status: zipStatus,
  totalBytes: z.int().check(z.describe("bytes of the files to pack")),
  totalEntries: z.int().check(z.describe("files and folders to pack")),
  doneBytes: z.int(),
  doneEntries: z.int(),
  zipBytes: z.optional(z.int()).check(z.describe("the zip's size, once done")),
  url: z.optional(z.string()).check(z.describe("presigned GET of the zip, once done")),
  expiresAt: z.optional(unixSeconds).check(z.describe("when the zip is deleted, once done")),
});
export type ZipJob = z.infer<typeof zipJob>;

export const zipRoutes = {
  create: route({
    method: "POST",
    path: "/file/v1/zip/create",
    handler: "functions/http/zip/create.ts",
    auth: "optional",
    summary:
      "Pack files and folders (folder structure kept, UTF-8 names, ZIP64 when needed) into one zip, in the background: my items (signed in), or items of a share (shareIdentity and its code or shareToken; the shared item itself when identities is omitted; counts one download). Larger than ZIP_MAX_BYTES or ZIP_MAX_ENTRIES: 413 300040",
    body: z.object({ identities: z.optional(items), ...shareFields }).check(
      z.refine((b) => b.identities !== undefined || b.shareIdentity !== undefined, {
        message: "give identities, or shareIdentity",
        path: ["identities"],
      }),
    ),
    data: zipJob,
    errors: ["FILE_NOT_FOUND", "ZIP_TOO_LARGE", "TOO_MANY_REQUESTS", "UNAUTHORIZED", ...shareErrors],
  }),
  status: route({
    method: "GET",
    path: "/file/v1/zip/status",
    handler: "functions/http/zip/status.ts",
    auth: "optional",
    summary:
      "A zip job's progress, and once done a presigned GET named after the zip; a share's job needs the share's code or token, anyone else's job is not found",
    query: z.object({ id: identity, ...shareFields }),
    data: zipJob,
    errors: ["ZIP_JOB_NOT_FOUND", "UNAUTHORIZED", ...shareErrors],
  }),
};
