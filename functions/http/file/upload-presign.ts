import { fileRoutes } from "@polaris/contract";
import { Uploads } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.uploadPresign, async ({ userId, body, deps, metric }) => {
  const plan = await Uploads.presign(deps, userId, body);
  metric("InstantUploadRatio", "None", 0);
  return plan;
});
