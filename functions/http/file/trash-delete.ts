import { fileRoutes } from "@polaris/contract";
import { Trash } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.trashDelete, ({ userId, body, deps }) => Trash.deleteForever(deps, userId, body));
