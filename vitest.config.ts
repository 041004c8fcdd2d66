import { defineConfig } from "vitest/config";

// Projects are the fast subsets: `npm run test:unit` etc. `npm test` runs them all through
// infra-local/test-all.ts, which also starts the services the later passes need.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    // Node 20 is supported by the SDK versions pinned here; the notice about future releases is noise in test logs.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: "unit", include: ["packages/*/src/**/*.test.ts"] } },
      { extends: true, test: { name: "stacks", include: ["stacks/**/*.test.ts"] } },
      { extends: true, test: { name: "browser", include: ["infra-local/browser/**/*.test.ts"] } },
      // The S3 conformance suite: the embedded object store; with POLARIS_TEST_S3_MOTO_ENDPOINT, moto.
      { extends: true, test: { name: "s3", include: ["infra-local/object-store/**/*.test.ts"] } },
      // The embedded profile's own PostgreSQL server: first start, restart, a killed app, PGlite import.
      { extends: true, test: { name: "database", include: ["infra-local/database/**/*.test.ts"], testTimeout: 120_000 } },
      {
        extends: true,
        test: {
          name: "parity",
          include: ["infra-local/**/*.test.ts"],
          exclude: ["infra-local/browser/**", "infra-local/object-store/**", "infra-local/database/**", "infra-local/stress/fuzz.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 900_000,
        },
      },
      { extends: true, test: { name: "fuzz", include: ["infra-local/stress/fuzz.test.ts"], testTimeout: 600_000, hookTimeout: 900_000 } },
    ],
  },
});
