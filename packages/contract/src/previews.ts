import * as z from "zod/mini";
import { identity, unixSeconds, defineRoute } from "./route";
import { shareAccess } from "./shares";

/** What a preview shows: a picture, the browser's PDF viewer, highlighted text, or an HTML5 player. */
export const previewKind = z.enum(["image", "pdf", "text", "audio", "video"]);
export type PreviewKind = z.infer<typeof previewKind>;

const previewData = z.object({
  kind: previewKind,
  url: z
    .string()
    .check(
      z.describe(
        "a presigned GET answered inline as contentType (ranges allowed: players seek with them; text is read from its first bytes)",
      ),
    ),
  contentType: z.string().check(z.describe("the type the URL answers with: HTML, SVG and source code are answered as text/plain")),
  size: z.int(),
  expiresAt: unixSeconds,
});

export const previewRoutes = {
  file: defineRoute({
    method: "GET",
    path: "/file/v1/file/preview",
    handler: "functions/http/preview/file.ts",
    auth: "jwt",
    tag: "Files",
    summary:
      "An inline URL to preview one of your files: raster images, PDF, text and source code, audio and video. Types that could run script in a page (HTML rendered, SVG) are previewed as text or not at all (300050)",
    query: z.object({ identity }),
    data: previewData,
    errors: ["FILE_NOT_FOUND", "PREVIEW_UNSUPPORTED"],
  }),
  share: defineRoute({
    method: "GET",
    path: "/share/v1/share/preview",
    handler: "functions/http/preview/share.ts",
    auth: "none",
    tag: "Shares",
    summary:
      "The same for a file inside a share (the shared file itself when fileIdentity is omitted); a preview-only share previews but does not download",
    query: z.object({ ...shareAccess, fileIdentity: z.optional(identity) }),
    data: previewData,
    errors: [
      "SHARE_NOT_FOUND",
      "SHARE_EXPIRED",
      "SHARE_CANCELLED",
      "SHARE_BANNED",
      "SHARE_VIEW_LIMIT_REACHED",
      "SHARED_FILE_GONE",
      "WRONG_SHARE_CODE",
      "TOO_MANY_REQUESTS",
      "UNAUTHORIZED",
      "FILE_NOT_FOUND",
      "PREVIEW_UNSUPPORTED",
    ],
  }),
};
