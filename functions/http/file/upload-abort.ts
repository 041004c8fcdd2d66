import { fileRoutes } from "@polaris/contract";
import { Uploads } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.uploadAbort, ({ userId, body, deps }) => Uploads.abort(deps, userId, body));
