import { shareRoutes } from "@polaris/contract";
import { Shares } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(shareRoutes.cancel, ({ userId, body, deps }) => Shares.cancel(deps, userId, body));
