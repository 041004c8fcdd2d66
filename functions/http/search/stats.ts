import { searchRoutes } from "@polaris/contract";
import { Search } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(searchRoutes.stats, ({ userId, deps }) => Search.searchStats(deps, userId));
