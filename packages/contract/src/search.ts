import * as z from "zod/mini";
import { fileItem } from "./files";
import { defineRoute, folderRef, page, pageSize, plainText, wholeNumberParam } from "./route";

/** OpenSearch answers `from + size` up to its result window; SQL keeps the same bound so both engines agree. */
export const SEARCH_RESULT_WINDOW = 10_000;

const queryFlag = z.pipe(
  z.enum(["true", "false", "1", "0"]),
  z.transform((v) => v === "true" || v === "1"),
);

/** `ext=pdf&ext=docx` arrives as "pdf,docx" (API Gateway joins repeated parameters), as does `ext=pdf,docx`. */
const extensions = z
  .pipe(
    plainText(z.string().check(z.maxLength(1000))),
    z.transform((s) => [
      ...new Set(
        s
          .split(",")
          .map((e) => e.trim().replace(/^\.+/, "").toLowerCase())
          .filter(Boolean),
      ),
    ]),
  )
  .check(
    z.refine((list) => list.length <= 50, "must name at most 50 extensions"),
    z.describe("extensions without the dot: repeat the parameter or give a comma list"),
  );

export const searchHit = z.extend(fileItem, {
  path: z.string().check(z.describe('the folder the item is in, from the root: "/" or "/Docs/2025"')),
  highlight: z.optional(z.string()).check(z.describe("the name with each match of the keyword wrapped in <em>…</em> (not HTML-escaped)")),
});

export const searchStats = z.object({
  totalFiles: z.int(),
  totalFolders: z.int(),
  totalSize: z.int(),
  byExt: z
    .array(z.object({ ext: z.string(), count: z.int(), size: z.int() }))
    .check(z.describe('files per extension ("" for none), most frequent first, at most 100')),
});
export type SearchStats = z.infer<typeof searchStats>;

export const searchQuery = z
  .object({
    keyword: z
      .optional(plainText(z.string().check(z.trim(), z.maxLength(255, "must be at most 255 characters"))))
      .check(z.describe("matches whole words, prefixes and infixes of names, any script, case-insensitive")),
    ext: z.optional(extensions),
    isDir: z.optional(queryFlag).check(z.describe("true: folders only, false: files only")),
    minSize: z.optional(wholeNumberParam),
    maxSize: z.optional(wholeNumberParam),
    parentId: z.optional(folderRef).check(z.describe("only items below this folder, at any depth")),
    page,
    pageSize,
    sortBy: z
      ._default(z.enum(["relevance", "name", "size", "create_time", "update_time"]), "relevance")
      .check(z.describe("relevance: best match first (without a keyword: most recently updated first); ties by id")),
    sortDesc: z._default(queryFlag, false).check(z.describe("descending order (not for relevance)")),
  })
  .check(
    z.refine((q) => q.minSize === undefined || q.maxSize === undefined || q.minSize <= q.maxSize, {
      path: ["minSize"],
      message: "must be ≤ maxSize",
    }),
    z.refine((q) => q.page * q.pageSize <= SEARCH_RESULT_WINDOW, {
      path: ["page"],
      message: `page × pageSize must be ≤ ${SEARCH_RESULT_WINDOW}`,
    }),
  );

export type SearchSort = z.output<typeof searchQuery>["sortBy"];

const area = "Search";

export const searchRoutes = {
  files: defineRoute({
    method: "GET",
    auth: "jwt",
    tag: area,
    path: "/search/v1/search/files",
    handler: "functions/http/search/files.ts",
    summary: "Find the caller's active files and folders by name (words, prefixes, infixes, Chinese included) and filters",
    query: searchQuery,
    data: z.object({
      total: z.int().check(z.describe(`how many items match, counted up to ${SEARCH_RESULT_WINDOW} (as far as pages reach)`)),
      list: z.array(searchHit),
    }),
    errors: ["FOLDER_NOT_FOUND", "SEARCH_UNAVAILABLE"],
  }),
  stats: defineRoute({
    method: "GET",
    auth: "jwt",
    tag: area,
    path: "/search/v1/search/stats",
    handler: "functions/http/search/stats.ts",
    summary: "Counts and sizes of the caller's active files and folders, by extension",
    data: searchStats,
    errors: ["SEARCH_UNAVAILABLE"],
  }),
};
