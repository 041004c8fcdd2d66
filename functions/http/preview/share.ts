import { previewRoutes } from "@polaris/contract";
import { Thumbnails } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(previewRoutes.share, ({ query: { shareIdentity, ...query }, clientAddress, deps }) =>
  Thumbnails.sharePreview(deps, { ...query, identity: shareIdentity, clientAddress }),
);
