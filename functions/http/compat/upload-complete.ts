import { compatRoutes } from "@polaris/contract";
import { Uploads } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

// upload/callback's verification: what presign declared is what the stored bytes must be.
export const handler = httpHandler(compatRoutes.uploadComplete, async ({ userId, body, deps, metric }) => {
  const { uploadedBytes, identity } = await Uploads.callback(deps, userId, { uploadKey: body.uploadKey });
  if (uploadedBytes !== undefined) metric("UploadedBytes", "Bytes", uploadedBytes);
  return { identity };
});
