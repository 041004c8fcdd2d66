import { fileRoutes } from "@polaris/contract";
import { Files } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.list, ({ userId, query, deps }) => Files.list(deps, userId, query));
