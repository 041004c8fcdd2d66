import { fileRoutes } from "@polaris/contract";
import { Versions } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.versionDelete, ({ userId, body, deps }) =>
  Versions.deleteVersion(deps, userId, body.identity),
);
