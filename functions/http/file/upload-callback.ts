import { fileRoutes } from "@polaris/contract";
import { Uploads } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.uploadCallback, async ({ userId, body, deps, metric }) => {
  const { uploadedBytes, ...result } = await Uploads.callback(deps, userId, body);
  if (uploadedBytes !== undefined) metric("UploadedBytes", "Bytes", uploadedBytes);
  return result;
});
