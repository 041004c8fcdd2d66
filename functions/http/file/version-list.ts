import { fileRoutes } from "@polaris/contract";
import { Versions } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.versions, ({ userId, query, deps }) => Versions.listVersions(deps, userId, query.identity));
