import { fileRoutes } from "@polaris/contract";
import { Versions } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.versionRestore, ({ userId, body, deps }) =>
  Versions.restoreVersion(deps, userId, body.identity),
);
