import { compatRoutes } from "@polaris/contract";
import { Compat, Files } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(compatRoutes.list, async ({ userId, query, deps }) => {
  const parentId = await Compat.folderRef(deps.db, userId, query.parentId);
  // No orderBy: newest first, as the original listed.
  const order = query.orderBy ? { orderBy: query.orderBy, order: query.order } : ({ orderBy: "create_time", order: "desc" } as const);
  const { list, total } = await Files.list(deps, userId, { parentId, page: query.page, pageSize: query.pageSize, ...order });
  return { list: list.map((item) => Compat.toOriginalItem(item, query.parentId)), total };
});
