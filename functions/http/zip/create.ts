import { zipRoutes } from "@polaris/contract";
import { Zip } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(zipRoutes.create, ({ body, userId, deps }) => Zip.create(deps, userId, body));
