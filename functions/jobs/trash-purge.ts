import * as z from "zod/mini";
import { Trash } from "@polaris/core";
import { jobHandler } from "@polaris/runtime";

export const handler = jobHandler(z.object({ batch: z.uuid() }), (deps, { batch }) => Trash.purgeExpiredBatch(deps, batch));
