/**
 * `npm run synth`: synthesizes every stack offline, in this process (the SST CLI would wait for
 * AWS), bundles every function as `sst deploy` would, and writes the CloudFormation templates
 * to .polaris/synth/<stack>.template.json.
 *
 *   npm run synth                       # stage "synth"
 *   npm run synth -- --stage prod       # with prod's settings (.env.prod is read, as SST does)
 *   npm run synth -- --no-build         # skip bundling: placeholder code, same resources
 *   npm run synth -- --out <dir>        # somewhere else than .polaris/synth
 *
 * A handler module that does not exist yet is bundled as a stub that throws (and listed), so the
 * rest is still checked; `sst deploy` refuses such an app ("Could not find file for handler").
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { repoRoot, synthesize, type Synthesized } from "./harness";

export const SYNTH_DIR = join(repoRoot, ".polaris", "synth");

export interface SynthResult {
  dir: string;
  /** The synthesis itself: the templates and construct trees (for the tests). */
  synthesized: Synthesized;
  files: string[];
  placeholders: string[];
  findings: Awaited<ReturnType<typeof synthesize>>["findings"];
}

export async function synth(
  options: { stage?: string; build?: boolean; dir?: string; buildOnly?: (entry: string) => boolean } = {},
): Promise<SynthResult> {
  const dir = options.dir ?? SYNTH_DIR;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const result = await synthesize({
    stage: options.stage ?? "synth",
    build: options.build ?? true,
    placeholders: true,
    buildOnly: options.buildOnly,
    outdir: join(dir, "cdk.out"),
  });
  const files = result.stacks.map(({ name, template }) => {
    const file = join(dir, `${name}.template.json`);
    writeFileSync(file, `${JSON.stringify(template.toJSON(), null, 1)}\n`);
    return file;
  });
  return { dir, files, synthesized: result, placeholders: result.placeholders, findings: result.findings };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const args = process.argv.slice(2);
  const value = (flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const started = Date.now();
  const out = value("--out");
  const result = await synth({ stage: value("--stage"), build: !args.includes("--no-build"), dir: out && resolve(out) });
  for (const file of result.files) console.log(`wrote ${file}`);
  if (result.placeholders.length) {
    console.warn(`\n${result.placeholders.length} handler module(s) missing, bundled as stubs that throw (sst deploy would refuse):`);
    for (const entry of result.placeholders) console.warn(`  ${entry}`);
  }
  for (const f of result.findings) console.error(`${f.level}: ${f.path}: ${f.message.split("\n")[0]}`);
  console.log(
    `\nsynthesized in ${((Date.now() - started) / 1000).toFixed(1)} s; cdk-nag: ${result.findings.length} unsuppressed finding(s)`,
  );
  process.exit(result.findings.some((f) => f.level === "error") ? 1 : 0);
}
