import { fileRoutes } from "@polaris/contract";
import { Trash } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.trashList, ({ userId, query, deps }) => Trash.listTrash(deps, userId, query));
