import { fileRoutes } from "@polaris/contract";
import { Uploads } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.uploadCallback, ({ userId, body, deps }) => Uploads.callback(deps, userId, body));
