import { fileRoutes } from "@polaris/contract";
import { Files } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.copy, ({ userId, body, deps }) => Files.copy(deps, userId, body));
