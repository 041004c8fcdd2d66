import { compatRoutes } from "@polaris/contract";
import { Shares } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(compatRoutes.shareDownload, ({ query, clientAddress, deps }) =>
  Shares.download(deps, { ...query, clientAddress }),
);
