import { dirname, join } from "node:path";
import type { Plugin } from "esbuild";

/**
 * esbuild plugins of the Lambda bundles: code that can never run on AWS stays out.
 *
 * - zod's `z.locales` namespace drags every language's error messages (~250 KB minified) into
 *   each bundle; zod itself configures English, and nothing in Polaris switches locale, so the
 *   namespace is cut down to `en`.
 * - PGlite (and its kysely dialect) is the embedded profile's database (~690 KB). On AWS the
 *   stacks always set DATABASE_URL, so the composition root opens PostgreSQL and never touches it;
 *   the bundle gets a stub that says so if it ever is.
 */
export const zodEnglishOnly: Plugin = {
  name: "polaris-zod-english-only",
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.c?js$/ }, (args) => {
      if (!/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)) return undefined;
      return { path: join(dirname(args.importer), "..", "locales", "index.js"), namespace: "polaris-zod-en" };
    });
    build.onLoad({ filter: /.*/, namespace: "polaris-zod-en" }, (args) => ({
      contents: 'export { default as en } from "./en.js";\n',
      resolveDir: dirname(args.path),
      loader: "js",
    }));
  },
};

const NOT_ON_AWS = ["@electric-sql/pglite", "kysely-pglite-dialect"];

export const withoutEmbeddedDatabase: Plugin = {
  name: "polaris-without-embedded-database",
  setup(build) {
    build.onResolve({ filter: /^(@electric-sql\/pglite|kysely-pglite-dialect)(\/.*)?$/ }, (args) => ({ path: args.path, namespace: "polaris-not-on-aws" }));
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

export const BUNDLE_PLUGINS: Plugin[] = [zodEnglishOnly, withoutEmbeddedDatabase];
export const BUNDLE_STUBBED_PACKAGES = NOT_ON_AWS;
