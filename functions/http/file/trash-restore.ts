import { fileRoutes } from "@polaris/contract";
import { Trash } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.trashRestore, ({ userId, body, deps }) => Trash.restore(deps, userId, body));
