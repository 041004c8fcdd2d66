import { fileRoutes } from "@polaris/contract";
import { Trash } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.trashClear, ({ userId, deps }) => Trash.clearTrash(deps, userId));
