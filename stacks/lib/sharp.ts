import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Plugin } from "esbuild";
import type { FunctionProps } from "sst/constructs";
import { BUNDLE_PLUGINS } from "./bundling";
import { BUNDLING } from "./observability";

/** sharp's package folder (its entry is dist/index.cjs; package.json is not among its exports). */
const sharpRoot = dirname(dirname(createRequire(import.meta.url).resolve("sharp")));

/**
 * sharp in an arm64 Lambda bundle. SST keeps `sharp` external and installs 0.32.6 for it (its old
 * cross-platform workaround, which downloads libvips from outside npm), so this plugin bundles the
 * pinned sharp's own JavaScript instead: its ES module loads the native addon through createRequire
 * at run time, from the `@img/sharp-linux-arm64` and `@img/sharp-libvips-linux-arm64` packages that
 * SST installs beside the bundle (`npm install --os=linux --cpu=arm64`). SST's esbuild (0.18)
 * predates import attributes, so sharp's `with { type: "json" }` imports are read as plain JSON imports.
 */
export const sharpBundled: Plugin = {
  name: "polaris-sharp-bundled",
  setup(build) {
    build.onResolve({ filter: /^sharp$/ }, () => ({ path: join(sharpRoot, "dist/index.mjs") }));
    build.onLoad({ filter: /[\\/]node_modules[\\/]sharp[\\/]dist[\\/].*\.mjs$/ }, async (args) => {
      const { readFile } = await import("node:fs/promises");
      const source = await readFile(args.path, "utf8");
      return { contents: source.replace(/\s+with\s*\{\s*type:\s*["']json["']\s*\}/g, ""), loader: "js", resolveDir: dirname(args.path) };
    });
  },
};

/** The native packages of sharp for Lambda's arm64 Linux (glibc), installed beside the bundle at deploy. */
export const SHARP_ARM64_PACKAGES = ["@img/sharp-linux-arm64", "@img/sharp-libvips-linux-arm64"];

/** The app's bundling with sharp's JavaScript inside and its arm64 binaries beside. */
export const SHARP_BUNDLING: NonNullable<FunctionProps["nodejs"]> = {
  ...BUNDLING,
  install: SHARP_ARM64_PACKAGES,
  esbuild: {
    ...BUNDLING.esbuild,
    plugins: [...BUNDLE_PLUGINS, sharpBundled] as unknown as NonNullable<NonNullable<FunctionProps["nodejs"]>["esbuild"]>["plugins"],
  },
};
