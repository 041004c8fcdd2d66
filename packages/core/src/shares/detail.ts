import type { FileItem, QueryOf, shareRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { breadcrumb } from "../files/detail";
import { fileItemQuery, toFileItem } from "../files/tree";
import { toUnixSeconds } from "../time";
import { itemsInShare, openShare } from "./access";

/**
 * One level of a share: the shared item, or a folder inside a shared folder, with its children
 * (folders first, by name). Nothing above the shared item shows: the path starts at it and its own
 * parent reads as "0".
 */
export async function detail(deps: CoreDeps, query: QueryOf<typeof shareRoutes.detail> & { clientAddress: string }) {
  const share = await openShare(deps, query);
  const [folderId] = query.parentId && query.parentId !== "0" ? await itemsInShare(deps.db, share, [query.parentId], true) : [share.file_id];
  const view = (row: Parameters<typeof toFileItem>[0]): FileItem => (row.id === share.file_id ? { ...toFileItem(row), parentId: "0" } : toFileItem(row));
  const file = view(await fileItemQuery(deps.db).where("f.id", "=", folderId!).executeTakeFirstOrThrow());
  const trail = await breadcrumb(deps.db, folderId!);
  const result = {
    file,
    sharerName: share.sharer_name,
    expiredTime: share.expired_at ? toUnixSeconds(share.expired_at) : 0,
    path: trail.slice(trail.findIndex((entry) => entry.identity === share.file_identity)),
  };
  if (!file.isDir) return result;
  const children = fileItemQuery(deps.db).where("f.parent_id", "=", folderId!).where("f.status", "=", "active");
  const [rows, total] = await Promise.all([
    children.orderBy("f.is_dir", "desc").orderBy("f.name").orderBy("f.id").limit(query.pageSize).offset((query.page - 1) * query.pageSize).execute(),
    children.clearSelect().select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return { ...result, children: rows.map(view), total: Number(total.n) };
}
