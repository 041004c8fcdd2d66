import { compatRoutes } from "@polaris/contract";
import { Shares } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(compatRoutes.shareCreate, ({ userId, body, deps }) =>
  Shares.create(deps, userId, { fileIdentity: body.repositoryIdentity, expiredType: body.expiredType, hasCode: body.hasCode }),
);
