import { configDefaults, defineConfig } from "vitest/config";

// Projects are the fast subsets: `npm run test:unit` etc. `npm test` runs them all through
// infra-local/test-all.ts, which also starts the services the later passes need.
const objectStore = "packages/local/src/object-store/**/*.test.ts";
const database = "packages/local/src/database/**/*.test.ts";
const parity = "packages/*/src/parity/**/*.test.ts";
const faults = "packages/api-tests/src/stress/faults.test.ts";
const fuzz = "packages/api-tests/src/stress/fuzz.test.ts";
const servicePasses = [objectStore, database, parity, faults, fuzz];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // Node 20 is supported by the SDK versions pinned here; the notice about future releases is noise in test logs.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    hookTimeout: 120_000,
    // One module graph per worker, not one per test file: every API test file imports the whole
    // app (SDKs, PGlite's WebAssembly), which cost ~3 s a file to evaluate again. The files share no
    // module state they rely on (each starts its own app, database and state folder).
    isolate: false,
    projects: [
      // Tests with no service: everything under the packages but the suites below.
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...servicePasses, "packages/browser-tests/**"],
        },
      },
      { extends: true, test: { name: "stacks", include: ["stacks/**/*.test.ts"] } },
      { extends: true, test: { name: "browser", include: ["packages/browser-tests/src/**/*.test.ts"] } },
      // The S3 conformance suite: the embedded object store; with POLARIS_TEST_S3_MOTO_ENDPOINT, moto.
      { extends: true, test: { name: "s3", include: [objectStore] } },
      // The embedded profile's own PostgreSQL server: first start, restart, a killed app, PGlite import.
      { extends: true, test: { name: "database", include: [database], testTimeout: 120_000 } },
      // On the local services: adapters against them, the parity runtime, the OpenSearch and fault suites, the installers.
      {
        extends: true,
        test: { name: "parity", include: [parity, faults, "infra-local/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 900_000 },
      },
      { extends: true, test: { name: "fuzz", include: [fuzz], testTimeout: 600_000, hookTimeout: 900_000 } },
    ],
  },
});
