import type { FunctionProps } from "sst/constructs";
import { BUNDLE_PLUGINS } from "./bundling";
import type { StageSettings } from "../settings";

/**
 * esbuild options of every function bundle (and of `bench/bundles.ts`, which measures them):
 * minified, tree-shaken ESM per handler, split at dynamic imports. The AWS SDK v3 stays out because the
 * nodejs22.x runtime ships it; `pg-native` is pg's optional native binding, which the product never
 * loads (and which SST would otherwise try to `npm install` into each bundle). The plugins keep
 * out code that cannot run on AWS (see bundling.ts).
 */
export const BUNDLE_EXTERNALS = ["@aws-sdk/*", "pg-native"];
export const BUNDLE_TARGET = "node22";

export const BUNDLING: NonNullable<FunctionProps["nodejs"]> = {
  format: "esm",
  minify: true,
  // Adapters behind dynamic imports (S3, DynamoDB, EventBridge, OpenSearch…) become chunks that a
  // function loads only if its configuration uses them, keeping their SDKs out of cold starts.
  splitting: true,
  // Source maps would only feed SST's console (a separate upload); keep the bundles lean.
  sourcemap: false,
  esbuild: {
    target: BUNDLE_TARGET,
    treeShaking: true,
    legalComments: "none",
    external: BUNDLE_EXTERNALS,
    // The same plugin API; the types differ only because SST pins its own esbuild (0.18).
    plugins: BUNDLE_PLUGINS as unknown as NonNullable<NonNullable<FunctionProps["nodejs"]>["esbuild"]>["plugins"],
  },
};

/**
 * The defaults every Polaris function gets, set once for the whole app
 * (`app.setDefaultFunctionProps`, see stacks/index.ts): runtime, ARM64, X-Ray tracing, timeout,
 * memory, bundling and the Powertools settings behind the per-route metrics. Log groups with the
 * stage's retention are created per function by {@link import("./functions").polarisFunction}.
 */
export function functionDefaults(settings: StageSettings): FunctionProps {
  return {
    runtime: "nodejs22.x",
    architecture: "arm_64",
    tracing: "active",
    timeout: "15 seconds",
    memorySize: "1024 MB",
    nodejs: BUNDLING,
    environment: {
      POWERTOOLS_SERVICE_NAME: "polaris",
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_DEV: "false",
      LOG_LEVEL: settings.production ? "INFO" : "DEBUG",
      // The composition root keeps local state under POLARIS_HOME; /var/task is read-only.
      POLARIS_HOME: "/tmp/polaris",
    },
  };
}

/** CloudWatch namespace of the Powertools EMF metrics (requests, errors, latency, bytes, lag). */
export const METRICS_NAMESPACE = "Polaris";
