import * as z from "zod/mini";
import { Shares } from "@polaris/core";
import { jobHandler } from "@polaris/runtime";

export const handler = jobHandler(z.object({ shareIdentity: z.uuid() }), (deps, { shareIdentity }) =>
  Shares.expireShare(deps, shareIdentity),
);
