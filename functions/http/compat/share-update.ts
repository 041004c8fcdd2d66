import { compatRoutes } from "@polaris/contract";
import { Shares } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(compatRoutes.shareUpdate, async ({ userId, body, deps }) => {
  // The original changed the code only for a non-empty one other than "-1".
  const code = body.code === "" || body.code === "-1" ? undefined : body.code;
  await Shares.update(deps, userId, { identity: body.identity, expiredType: body.expiredType, code });
  return {};
});
