import { shareRoutes } from "@polaris/contract";
import { Zip } from "@polaris/core";
import { httpHandler } from "@polaris/runtime";

export const handler = httpHandler(shareRoutes.zip, ({ body, clientAddress, deps }) =>
  Zip.createForShare(deps, { ...body, clientAddress }),
);
