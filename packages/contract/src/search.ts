import { z } from "zod";
import { fileItem } from "./files";
import { defineRoute, folderRef, page, pageSize, plainText } from "./route";

/** OpenSearch answers `from + size` up to its result window; SQL keeps the same bound so both engines agree. */
export const SEARCH_RESULT_WINDOW = 10_000;

const queryFlag = z.enum(["true", "false", "1", "0"]).transform((v) => v === "true" || v === "1");
const bytes = z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** `ext=pdf&ext=docx` arrives as "pdf,docx" (API Gateway joins repeated parameters), as does `ext=pdf,docx`. */
const extensions = plainText(z.string().max(1000))
  .transform((s) => [...new Set(s.split(",").map((e) => e.trim().replace(/^\.+/, "").toLowerCase()).filter(Boolean))])
  .refine((list) => list.length <= 50, "must name at most 50 extensions")
  .describe("extensions without the dot: repeat the parameter or give a comma list");

export const searchHit = fileItem.extend({
  path: z.string().describe('the folder the item is in, from the root: "/" or "/Docs/2025"'),
  highlight: z.string().optional().describe("the name with each match of the keyword wrapped in <em>…</em> (not HTML-escaped)"),
});

export const searchStats = z.object({
  totalFiles: z.number().int(),
  totalFolders: z.number().int(),
  totalSize: z.number().int(),
  byExt: z.array(z.object({ ext: z.string(), count: z.number().int(), size: z.number().int() }))
    .describe('files per extension ("" for none), most frequent first, at most 100'),
});
export type SearchStats = z.infer<typeof searchStats>;

export const searchQuery = z.object({
  keyword: plainText(z.string().trim().max(255, "must be at most 255 characters")).optional()
    .describe("matches whole words, prefixes and infixes of names, any script, case-insensitive"),
  ext: extensions.optional(),
  isDir: queryFlag.optional().describe("true: folders only, false: files only"),
  minSize: bytes.optional(),
  maxSize: bytes.optional(),
  parentId: folderRef.optional().describe("only items below this folder, at any depth"),
  page,
  pageSize,
  sortBy: z.enum(["relevance", "name", "size", "create_time", "update_time"]).default("relevance")
    .describe("relevance: best match first (without a keyword: most recently updated first); ties by id"),
  sortDesc: queryFlag.default(false).describe("descending order (not for relevance)"),
})
  .refine((q) => q.minSize === undefined || q.maxSize === undefined || q.minSize <= q.maxSize, { path: ["minSize"], message: "must be ≤ maxSize" })
  .refine((q) => q.page * q.pageSize <= SEARCH_RESULT_WINDOW, { path: ["page"], message: `page × pageSize must be ≤ ${SEARCH_RESULT_WINDOW}` });

export type SearchSort = z.output<typeof searchQuery>["sortBy"];

const area = "Search";

export const searchRoutes = {
  files: defineRoute({
    method: "GET", auth: "jwt", tag: area, path: "/search/v1/search/files", handler: "functions/http/search/files.ts",
    summary: "Find the caller's active files and folders by name (words, prefixes, infixes, Chinese included) and filters",
    query: searchQuery,
    data: z.object({
      total: z.number().int().describe(`how many items match, counted up to ${SEARCH_RESULT_WINDOW} (as far as pages reach)`),
      list: z.array(searchHit),
    }),
    errors: ["FOLDER_NOT_FOUND", "SEARCH_UNAVAILABLE"],
  }),
  stats: defineRoute({
    method: "GET", auth: "jwt", tag: area, path: "/search/v1/search/stats", handler: "functions/http/search/stats.ts",
    summary: "Counts and sizes of the caller's active files and folders, by extension",
    data: searchStats,
    errors: ["SEARCH_UNAVAILABLE"],
  }),
};
