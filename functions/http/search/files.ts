import { searchRoutes } from "@polaris/contract";
import { Search } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(searchRoutes.files, ({ userId, query, deps }) => Search.searchFiles(deps, userId, query));
