import { compatRoutes } from "@polaris/contract";
import { Files } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(compatRoutes.download, ({ userId, query, deps }) => Files.download(deps, userId, query.identity));
