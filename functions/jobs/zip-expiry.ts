import * as z from "zod/mini";
import { Zip } from "@polaris/core";
import { jobHandler } from "@polaris/runtime";

export const handler = jobHandler(z.object({ jobId: z.uuid() }), (deps, { jobId }) => Zip.expireZip(deps, jobId));
