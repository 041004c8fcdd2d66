import { compatRoutes } from "@polaris/contract";
import { Search } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(compatRoutes.searchStats, ({ userId, deps }) => Search.searchStats(deps, userId));
