import type { App } from "sst/constructs";
import { Api } from "./Api";
import { Compat } from "./Compat";
import { Data } from "./Data";
import { Events } from "./Events";
import { Files } from "./Files";
import { Jobs } from "./Jobs";
import { Network } from "./Network";
import { Observability } from "./Observability";
import { Search } from "./Search";
import { Storage } from "./Storage";
import { applyNag } from "./lib/nag";
import { functionDefaults } from "./lib/observability";
import { stageSettings } from "./settings";

/** Every stack, in dependency order (each `use()`s only stacks above it). */
export const STACKS = [Network, Data, Events, Storage, Search, Jobs, Api, Files, Compat, Observability] as const;

/** The whole app: function defaults set once, the stacks, then the cdk-nag checks. */
export function polaris(app: App) {
  // S3 server access logs are delivered under a bucket policy rather than the legacy log-delivery ACL.
  app.node.setContext("@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy", true);
  app.setDefaultFunctionProps(functionDefaults(stageSettings(app.stage)));
  for (const stack of STACKS) app.stack(stack);
  if (process.env.POLARIS_NAG !== "0") applyNag(app);
}
