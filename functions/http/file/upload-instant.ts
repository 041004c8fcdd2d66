import { fileRoutes } from "@polaris/contract";
import { Uploads } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.uploadInstant, ({ userId, body, deps }) => Uploads.instant(deps, userId, body));
