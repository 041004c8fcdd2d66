import { fileRoutes } from "@polaris/contract";
import { Files } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.detail, ({ userId, query, deps }) => Files.detail(deps, userId, query.identity));
