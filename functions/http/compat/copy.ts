import { compatRoutes } from "@polaris/contract";
import { Compat, Files } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(compatRoutes.copy, async ({ userId, body, deps }) =>
  Files.copy(deps, userId, { identities: body.identities, targetId: await Compat.folderRef(deps.db, userId, body.targetId) }),
);
