import * as z from "zod/mini";
import { Uploads } from "@polaris/core";
import { jobHandler } from "@polaris/runtime";

export const handler = jobHandler(z.object({ uploadKey: z.uuid() }), (deps, { uploadKey }) => Uploads.expireUpload(deps, uploadKey));
