import type { QueryOf, searchRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fileItemQuery, resolveFolder, ROOT } from "../files/tree";
import { fileItemsOf } from "../thumbnails/urls";
import { folderPaths } from "./documents";
import { highlight } from "./highlight";

/**
 * Filename search over the caller's active items. The engine (SQL or OpenSearch) picks and orders the
 * ids; the rows themselves are read from the database, so a result never shows a stale name or an item
 * trashed since it was indexed, and both engines answer in exactly the same shape.
 */
export async function searchFiles(deps: CoreDeps, userId: number, query: QueryOf<typeof searchRoutes.files>) {
  const folderId = await resolveFolder(deps.db, userId, query.parentId);
  const keyword = query.keyword || undefined;
  const { total, ids } = await deps.search.search(userId, {
    keyword,
    exts: query.ext ?? [],
    isDir: query.isDir,
    minSize: query.minSize,
    maxSize: query.maxSize,
    folderId: folderId === ROOT ? undefined : folderId,
    sortBy: query.sortBy,
    sortDesc: query.sortDesc,
    offset: (query.page - 1) * query.pageSize,
    limit: query.pageSize,
  });
  if (ids.length === 0) return { total, list: [] };
  const rows = await fileItemQuery(deps.db)
    .where("f.id", "in", ids)
    .where("f.user_id", "=", userId)
    .where("f.status", "=", "active")
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  const paths = await folderPaths(
    deps.db,
    rows.map((row) => row.parent_id),
  );
  const found = ids.flatMap((id) => byId.get(id) ?? []);
  const items = await fileItemsOf(deps, found);
  const list = found.map((row, i) => {
    const marked = keyword ? highlight(row.name, keyword) : undefined;
    return { ...items[i]!, path: paths.get(row.parent_id)?.path ?? "/", ...(marked ? { highlight: marked } : {}) };
  });
  return { total, list };
}
