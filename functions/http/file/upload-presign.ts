import { fileRoutes } from "@polaris/contract";
import { Uploads } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.uploadPresign, ({ userId, body, deps }) => Uploads.presign(deps, userId, body));
