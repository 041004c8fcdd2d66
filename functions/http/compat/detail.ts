import { compatRoutes } from "@polaris/contract";
import { Compat, Files } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(compatRoutes.detail, async ({ userId, query, deps }) => {
  const { file, path } = await Files.detail(deps, userId, query.identity);
  const items = await Compat.originalItems(deps.db, userId, [file.identity, ...path.map((p) => p.identity)]);
  return { file: items.get(file.identity)!, path: path.map((p) => items.get(p.identity)!) };
});
