import * as z from "zod/mini";
import { Versions } from "@polaris/core";
import { jobHandler } from "@polaris/runtime";

export const handler = jobHandler(z.object({ fileIdentity: z.uuid() }), (deps, { fileIdentity }) =>
  Versions.pruneVersions(deps, fileIdentity),
);
