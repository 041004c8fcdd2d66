import { shareRoutes } from "@polaris/contract";
import { Shares } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(shareRoutes.validate, ({ body, userId, clientAddress, deps }) =>
  Shares.validate(deps, { ...body, clientAddress }, userId),
);
