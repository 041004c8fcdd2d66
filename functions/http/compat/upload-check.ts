import { compatRoutes } from "@polaris/contract";
import { Compat, Uploads } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

// A hash alone links nothing: without `proof` the client is told to upload (exists:false), as the
// original's clients then do; with it, upload/instant's challenge and proof decide.
export const handler = httpHandler(compatRoutes.uploadCheck, async ({ userId, body, deps, metric }) => {
  if (body.proof === undefined) return { exists: false };
  const { hash, size, name, parentId = 0, proof } = body;
  const folder = await Compat.folderRef(deps.db, userId, parentId, "PARENT_NOT_FOUND");
  const result = await Uploads.instant(deps, userId, {
    hash,
    size,
    name,
    parentId: folder,
    proof: proof || undefined,
    onConflict: "rename",
  });
  if ("identity" in result) {
    metric("InstantUploadHits", "Count", 1);
    metric("InstantUploadRatio", "None", 1);
    return { exists: true, identity: result.identity };
  }
  return { exists: false, ...("challenge" in result ? { challenge: result.challenge } : {}) };
});
