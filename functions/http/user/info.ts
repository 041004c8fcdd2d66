import { userRoutes } from "@polaris/contract";
import { Users } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(userRoutes.info, async ({ userId, deps }) => {
  const info = await Users.getInfo(deps, userId);
  // Polaris-IO's clients read the same profile as `user`.
  return { ...info, user: info.userInfo };
});
