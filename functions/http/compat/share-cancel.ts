import { compatRoutes } from "@polaris/contract";
import { Shares } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(compatRoutes.shareCancel, ({ userId, body, deps }) => Shares.cancel(deps, userId, body));
