import { compatRoutes } from "@polaris/contract";
import { Compat, Files } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(compatRoutes.move, async ({ userId, body, deps }) =>
  Files.move(deps, userId, { identities: body.identities, targetId: await Compat.folderRef(deps.db, userId, body.targetId) }),
);
