import { fileRoutes } from "@polaris/contract";
import { Files } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.rename, ({ userId, body, deps }) => Files.rename(deps, userId, body));
