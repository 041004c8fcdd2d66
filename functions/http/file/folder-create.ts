import { fileRoutes } from "@polaris/contract";
import { Files } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.createFolder, ({ userId, body, deps }) => Files.createFolder(deps, userId, body));
