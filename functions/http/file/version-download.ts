import { fileRoutes } from "@polaris/contract";
import { Versions } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.versionDownload, ({ userId, query, deps }) =>
  Versions.downloadVersion(deps, userId, query.identity),
);
