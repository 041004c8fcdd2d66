import * as z from "zod/mini";
import { defineRoute, identity, unixSeconds } from "./route";

const area = "Zip";
const route = <B extends z.ZodMiniType | undefined, Q extends z.ZodMiniObject | undefined, D extends z.ZodMiniType>(
  def: Omit<Parameters<typeof defineRoute<B, Q, D>>[0], "tag">,
) => defineRoute<B, Q, D>({ ...def, tag: area });

/** Where zips are stored: their own prefix, so IAM and a lifecycle rule can name them alone. */
export const ZIP_KEY_PREFIX = "zips/";

export const zipStatus = z.enum(["pending", "running", "done", "failed", "expired"]);
export type ZipStatus = z.infer<typeof zipStatus>;

export const zipItems = z
  .array(identity)
  .check(z.minLength(1, "must name at least one item"), z.maxLength(1000, "must name at most 1000 items"));
/** What a share's zip routes may answer beside their own errors. */
export const zipShareErrors = [
  "SHARE_NOT_FOUND",
  "SHARE_EXPIRED",
  "SHARE_CANCELLED",
  "SHARE_BANNED",
  "SHARE_OWNER_DISABLED",
  "SHARED_FILE_GONE",
  "WRONG_SHARE_CODE",
  "SHARE_DOWNLOAD_LIMIT_REACHED",
  "SHARE_VIEW_LIMIT_REACHED",
  "SHARE_PREVIEW_ONLY",
  "TOO_MANY_REQUESTS",
  "UNAUTHORIZED",
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

/** A share's visitors zip its items with /share/v1/share/zip and follow the job with /share/v1/share/zip/status (shares.ts). */
export const zipRoutes = {
  create: route({
    method: "POST",
    path: "/file/v1/zip/create",
    handler: "functions/http/zip/create.ts",
    auth: "jwt",
    summary:
      "Pack my files and folders (folder structure kept, UTF-8 names, ZIP64 when needed) into one zip, in the background; follow it with status. Larger than ZIP_MAX_BYTES or ZIP_MAX_ENTRIES: 413 300040",
    body: z.object({ identities: zipItems }),
    data: zipJob,
    errors: ["FILE_NOT_FOUND", "ZIP_TOO_LARGE", "TOO_MANY_REQUESTS"],
  }),
  status: route({
    method: "GET",
    path: "/file/v1/zip/status",
    handler: "functions/http/zip/status.ts",
    auth: "jwt",
    summary: "My zip job's progress, and once done a presigned GET named after the zip; anyone else's job is not found",
    query: z.object({ id: identity }),
    data: zipJob,
    errors: ["ZIP_JOB_NOT_FOUND"],
  }),
};
