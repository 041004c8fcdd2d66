import { dirname } from "node:path";
import type { Plugin } from "esbuild";

/**
 * esbuild plugins of the Lambda bundles: code that can never run on AWS stays out.
 *
 * - PGlite (and its kysely dialect) is the embedded profile's database (~690 KB). On AWS the
 *   stacks always set DATABASE_URL, so the composition root opens PostgreSQL and never touches it;
 *   the bundle gets a stub that says so if it ever is.
 */
const NOT_ON_AWS = ["@electric-sql/pglite", "kysely-pglite-dialect"];

export const withoutEmbeddedDatabase: Plugin = {
  name: "polaris-without-embedded-database",
  setup(build) {
    build.onResolve({ filter: /^(@electric-sql\/pglite|kysely-pglite-dialect)(\/.*)?$/ }, (args) => ({
      path: args.path,
      namespace: "polaris-not-on-aws",
    }));
    build.onLoad({ filter: /.*/, namespace: "polaris-not-on-aws" }, (args) => ({
      contents: [
        `const fail = () => { throw new Error(${JSON.stringify(`${args.path} is not in the Lambda bundle: on AWS, set DATABASE_URL (the stacks do)`)}); };`,
        "export class PGlite { constructor() { fail(); } static create() { return fail(); } }",
        "export class PGliteDialect { constructor() { fail(); } }",
        "export default PGlite;",
      ].join("\n"),
      loader: "js",
    }));
  },
};

/** pg's libpq binding (`pg.native`, needing the pg-native addon) is never used: the pure-JS client is. */
export const withoutNativePg: Plugin = {
  name: "polaris-without-native-pg",
  setup(build) {
    build.onResolve({ filter: /^\.\/native$/ }, (args) =>
      /[\\/]node_modules[\\/]pg[\\/]lib$/.test(dirname(args.importer))
        ? { path: "pg-native", namespace: "polaris-no-native-pg" }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "polaris-no-native-pg" }, () => ({
      contents:
        'module.exports = function () { throw new Error("pg-native is not in the Lambda bundle: Polaris uses the pure-JS pg client"); };',
      loader: "js",
    }));
  },
};

export const BUNDLE_PLUGINS: Plugin[] = [withoutEmbeddedDatabase, withoutNativePg];
export const BUNDLE_STUBBED_PACKAGES = NOT_ON_AWS;
