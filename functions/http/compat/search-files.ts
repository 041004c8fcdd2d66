import { compatRoutes } from "@polaris/contract";
import { Compat, Search } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(compatRoutes.searchFiles, async ({ userId, query, deps }) => {
  const { total, list } = await Search.searchFiles(deps, userId, query);
  const items = await Compat.originalItems(
    deps.db,
    userId,
    list.map((hit) => hit.identity),
  );
  return {
    total,
    list: list.map((hit) => {
      const { id, identity, ...item } = items.get(hit.identity)!;
      return { ...item, id: identity, fileId: id };
    }),
  };
});
