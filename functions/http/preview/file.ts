import { previewRoutes } from "@polaris/contract";
import { Thumbnails } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(previewRoutes.file, ({ userId, query, deps }) => Thumbnails.preview(deps, userId, query.identity));
