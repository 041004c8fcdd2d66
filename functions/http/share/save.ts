import { shareRoutes } from "@polaris/contract";
import { Shares } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(shareRoutes.save, ({ userId, body, clientAddress, deps }) =>
  Shares.save(deps, userId, { ...body, clientAddress }),
);
