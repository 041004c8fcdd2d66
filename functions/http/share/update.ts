import { shareRoutes } from "@polaris/contract";
import { Shares } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(shareRoutes.update, ({ userId, body, deps }) => Shares.update(deps, userId, body));
