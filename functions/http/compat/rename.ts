import { compatRoutes } from "@polaris/contract";
import { Files } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(compatRoutes.rename, async ({ userId, body, deps }) => {
  await Files.rename(deps, userId, body);
  return {};
});
