import { userRoutes } from "@polaris/contract";
import { Users } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(userRoutes.quota, async ({ userId, deps }) => {
  const quota = await Users.getQuota(deps, userId);
  // Polaris-IO's clients read the two figures under `quota`.
  return { ...quota, quota: { totalSize: quota.totalSize, usedSize: quota.usedSize } };
});
