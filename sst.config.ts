import type { SSTConfig } from "sst";
import { polaris } from "./stacks/index";

// SST v2 (CDK). `npx sst deploy --stage <name>`; `npm run synth` synthesizes offline.
export default {
  config(input) {
    return {
      name: "polaris",
      region: input.region ?? process.env.AWS_REGION ?? "us-east-1",
    };
  },
  stacks(app) {
    polaris(app);
  },
} satisfies SSTConfig;
