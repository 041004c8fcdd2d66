import { fileRoutes } from "@polaris/contract";
import { Uploads } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(fileRoutes.uploadParts, ({ userId, body, deps }) => Uploads.listUploadParts(deps, userId, body));
