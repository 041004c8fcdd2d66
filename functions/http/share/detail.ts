import { shareRoutes } from "@polaris/contract";
import { Shares } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(shareRoutes.detail, ({ query, clientAddress, deps }) =>
  Shares.detail(deps, { ...query, clientAddress }),
);
