import { fileRoutes } from "@polaris/contract";
import { Uploads } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.uploadPresign, async ({ userId, body, deps, metric }) => {
  // Polaris-IO's clients send `ext` (Polaris's never do) and make one PUT without a checksum header, as its URLs asked.
  const plan = await Uploads.presign(deps, userId, body, { asPolarisIo: body.ext !== undefined });
  metric("InstantUploadRatio", "None", 0);
  return plan;
});
