import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { routeTable } from "@polaris/contract";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "./harness";
import { cfnLintAsync, ensureCfnLint } from "./lib/cfn-lint";
import { handlerOf, JWT_SECRET_BANNER } from "./lib/functions";
import { synth, type SynthResult } from "./synth";
import { ofType, type Resources } from "./template-support";

/**
 * `npm run synth` (its `synth()`, in this process, offline): the templates written to disk and
 * cfn-lint over them, with SST's deploy build (esbuild through SST, as `sst deploy` runs it) for
 * a sample of handlers. The full build bundles every function (~30 s on two cores); the CLI does
 * that, the test keeps to a sample so the stacks project stays well under a minute.
 */
const OUT = join(repoRoot, ".polaris", "synth-test");
const STACK_NAMES = ["Api", "Compat", "Data", "Events", "Files", "Jobs", "Network", "Observability", "Search", "Storage"];
const SAMPLE = ["functions/http/user/login.ts", "functions/http/file/upload-presign.ts", "functions/events/upload-created.ts"];
let result: SynthResult;
/** cfn-lint runs in the background while the bundles are checked. */
let lint: Promise<{ ok: boolean; output: string }>;

beforeAll(async () => {
  result = await synth({ stage: "synthtest", dir: OUT, buildOnly: (entry) => SAMPLE.includes(entry) });
  lint = cfnLintAsync(ensureCfnLint(repoRoot), result.files);
}, 420_000);

describe("npm run synth", () => {
  it("writes every stack's template, offline, with no cdk-nag finding", () => {
    expect(result.files.map((f) => f.replace(/^.*\//, "")).sort()).toEqual(STACK_NAMES.map((s) => `${s}.template.json`));
    for (const file of result.files) expect(JSON.parse(readFileSync(file, "utf8")).Resources).toBeDefined();
    expect(result.findings).toEqual([]);
  });
});

describe("the deploy build (SST's esbuild step, offline)", () => {
  const built = () =>
    result.synthesized.stacks.flatMap(({ name, template }) =>
      ofType(template.toJSON().Resources as Resources, "AWS::Lambda::Function")
        .filter(([, f]) => SAMPLE.map(handlerOf).includes(f.Properties.Handler))
        .map(([id, f]) => ({ stack: name, id, f })),
    );

  it("bundles each sampled module as the function's handler, on nodejs22.x, from a code asset", () => {
    const present = SAMPLE.filter((entry) => existsSync(join(repoRoot, entry)));
    expect(
      built()
        .map(({ f }) => f.Properties.Handler)
        .sort(),
    ).toEqual(present.map(handlerOf).sort());
    for (const { id, f } of built()) {
      expect(f.Properties.Runtime, id).toBe("nodejs22.x");
      expect(f.Properties.Architectures, id).toEqual(["arm64"]);
      expect(f.Properties.Code.S3Key, id).toMatch(/\.zip$/);
    }
    const routes = Object.values(routeTable).map((r) => r.handler);
    expect(SAMPLE.filter((s) => s.startsWith("functions/http/")).every((s) => routes.includes(s))).toBe(true);
  });

  it("minifies each handler to ESM split at dynamic imports, with the AWS SDK and pg-native left out, and maps the JWT secret", () => {
    const outdir = join(OUT, "cdk.out");
    const assets = readdirSync(outdir).filter((d) => d.startsWith("asset.") && statSync(join(outdir, d)).isDirectory());
    const entryNames = new Set(SAMPLE.map((entry) => entry.replace(/^.*\//, "").replace(/\.ts$/, ".mjs")));
    // One asset per function: its entry file and the chunks beside it, checked as one.
    const bundles = assets.flatMap((d) => {
      const files = walk(join(outdir, d)).filter((f) => f.endsWith(".mjs"));
      const entry = files.find((f) => f.includes("/functions/") && entryNames.has(f.replace(/^.*\//, "")));
      return entry ? [{ dir: join(outdir, d), file: entry, code: files.map((f) => readFileSync(f, "utf8")).join("\n") }] : [];
    });
    const real = bundles.filter(({ code }) => !code.includes("was not bundled"));
    expect(real.length).toBe(SAMPLE.filter((entry) => existsSync(join(repoRoot, entry))).length);
    for (const { dir, file, code } of real) {
      expect(existsSync(join(dir, "node_modules")), dir).toBe(false);
      // Minified: long lines (what newlines remain are inside template literals: SQL, the docs page).
      expect(code.length / code.split("\n").length, file).toBeGreaterThan(500);
      expect(code, file).not.toMatch(/class S3Client extends|class DynamoDBClient extends/);
      if (/functions\/http\//.test(file)) expect(code, file).toContain(JWT_SECRET_BANNER);
      // The bundling plugins (stacks/lib/bundling.ts): no PGlite; zod's messages in English only (contract/route.ts).
      expect(code, file).not.toMatch(/pglite\.wasm|pglite\.data/);
      expect(code, file).toContain("is not in the Lambda bundle");
      expect(code, file).not.toContain("Entrée invalide");
      expect(code, file).toContain("Too small: expected");
    }
  });
});

describe("the templates", () => {
  it("pass cfn-lint (pinned in stacks/requirements.txt, from .polaris/venv)", async () => {
    const { ok, output } = await lint;
    expect(output).toBe("");
    expect(ok).toBe(true);
  }, 300_000);
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}
