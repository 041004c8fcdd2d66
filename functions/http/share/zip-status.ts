import { shareRoutes } from "@polaris/contract";
import { Zip } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(shareRoutes.zipStatus, ({ query, clientAddress, deps }) =>
  Zip.statusForShare(deps, { ...query, clientAddress }),
);
