import { compatRoutes } from "@polaris/contract";
import { Trash } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(compatRoutes.delete, ({ userId, body, deps }) => Trash.moveToTrash(deps, userId, body));
