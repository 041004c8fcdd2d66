import { zipRoutes } from "@polaris/contract";
import { Zip } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(zipRoutes.status, ({ query, userId, deps }) => Zip.status(deps, userId, query.id));
