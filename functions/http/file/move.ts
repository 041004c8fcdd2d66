import { fileRoutes } from "@polaris/contract";
import { Files } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.move, ({ userId, body, deps }) => Files.move(deps, userId, body));
