import { shareRoutes } from "@polaris/contract";
import { Shares } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(shareRoutes.download, ({ query, clientAddress, deps }) =>
  Shares.download(deps, { ...query, clientAddress }),
);
