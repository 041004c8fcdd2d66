import { sql } from "kysely";
import type { QueryOf, shareRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { breadcrumb } from "../files/detail";
import { nameOrder } from "../files/list";
import { fileItemQuery, toFileItem } from "../files/tree";
import { fileItemsOf } from "../thumbnails/urls";
import { toUnixSeconds } from "../time";
import { itemsInShare, openShare } from "./access";

/**
 * One level of a share: the shared item, or a folder inside a shared folder, with its children
 * (folders first, by name). Nothing above the shared item shows: the path starts at it and its own
 * parent reads as "0".
 */
export async function detail(deps: CoreDeps, query: QueryOf<typeof shareRoutes.detail> & { clientAddress: string }) {
  const share = await openShare(deps, query);
  const atRoot = !query.parentId || query.parentId === "0" || query.parentId === share.root.identity;
  const [folderId] = atRoot ? [share.file_id] : await itemsInShare(deps.db, share, [query.parentId!], true);
  const file = atRoot ? share.root : await fileItemQuery(deps.db).where("f.id", "=", folderId!).executeTakeFirstOrThrow();
  const trail = atRoot ? [] : await breadcrumb(deps.db, folderId!);
  const result = {
    file: toFileItem(file),
    sharerName: share.sharer_name,
    expiredTime: share.expired_at ? toUnixSeconds(share.expired_at) : 0,
    previewOnly: share.preview_only,
    path: atRoot
      ? [{ identity: share.root.identity, name: share.root.name }]
      : trail.slice(trail.findIndex((e) => e.identity === share.root.identity)),
  };
  if (!file.is_dir) return result;
  const children = fileItemQuery(deps.db).where("f.parent_id", "=", folderId!).where("f.status", "=", "active");
  const offset = (query.page - 1) * query.pageSize;
  const rows = await children
    .orderBy("f.is_dir", "desc")
    .orderBy(nameOrder(sql.ref("f.name")))
    .orderBy("f.id")
    .limit(query.pageSize)
    .offset(offset)
    .execute();
  // A page that is not full tells the total without counting.
  const total =
    rows.length < query.pageSize && (rows.length > 0 || offset === 0)
      ? offset + rows.length
      : Number(
          (
            await children
              .clearSelect()
              .select((eb) => eb.fn.countAll<number>().as("n"))
              .executeTakeFirstOrThrow()
          ).n,
        );
  return { ...result, children: await fileItemsOf(deps, rows), total };
}
