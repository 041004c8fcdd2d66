import { compatRoutes } from "@polaris/contract";
import { Compat, Shares } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(compatRoutes.shareSave, async ({ userId, body, clientAddress, deps }) => {
  // No items named: the shared item itself, as the original saved. A share that does not exist is
  // named instead, so the use case answers it as missing.
  const fileIdentities = body.fileIdentities.length
    ? body.fileIdentities
    : [(await Compat.sharedItemIdentity(deps.db, body.identity)) ?? body.identity];
  const targetFolderId = await Compat.folderRef(deps.db, userId, body.targetFolderId);
  return Shares.save(deps, userId, { identity: body.identity, code: body.code, fileIdentities, targetFolderId, clientAddress });
});
