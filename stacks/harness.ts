import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Template } from "aws-cdk-lib/assertions";
import type { Stack as CdkStack } from "aws-cdk-lib";
import { App, getStack } from "sst/constructs";
import { useFunctions } from "sst/constructs/Function.js";
import { initProject, useProject } from "sst/project.js";
import { useRuntimeHandlers } from "sst/runtime/handlers.js";
import { polaris, STACKS } from "./index";

/** The account and region of offline synthesis (no credentials are used). */
export const ACCOUNT = "123456789012";
export const REGION = "us-east-1";

export const repoRoot = resolve(fileURLToPath(new URL(".", import.meta.url)), "..");

export interface Synthesized {
  app: App;
  stage: string;
  stacks: { name: string; stack: CdkStack; template: Template }[];
  /** Handler modules that did not exist and were bundled as placeholders (build only). */
  placeholders: string[];
  /** cdk-nag findings (errors and warnings) left after suppressions. */
  findings: { path: string; level: "error" | "warning"; rule: string; message: string }[];
}

/**
 * Synthesizes every stack in this process, offline: no SST CLI, no AWS credentials.
 *
 * Without `build`, functions keep the inline placeholder code SST puts in at construction (the
 * structure, IAM and wiring are final; the stack tests need nothing more). With `build`, SST's
 * deferred tasks run as in `sst deploy`: esbuild bundles every handler into .sst/artifacts and
 * the templates reference real code assets. SST fails such a build when a handler module does
 * not exist ("Could not find file for handler"); `placeholders: true` bundles a stub that throws
 * instead, so the rest can be synthesized and checked while other handlers are being written.
 */
export interface SynthesizeOptions {
  stage?: string;
  /** "deploy" (sst deploy, the default) or "dev" (sst dev: live Lambda stubs). */
  mode?: "deploy" | "dev";
  build?: boolean;
  /** With build: a missing handler module becomes a throwing stub instead of a failed build. */
  placeholders?: boolean;
  /** With build: bundle only these entries; the others get the throwing stub (a quick check of the build path). */
  buildOnly?: (entry: string) => boolean;
  outdir?: string;
}

export async function synthesize(options: SynthesizeOptions = {}): Promise<Synthesized> {
  const stage = options.stage ?? "test";
  // SST's finish() asks AWS for its bootstrap bucket unless it believes it runs under a test.
  process.env.NODE_ENV = "test";
  await initProject({ stage, root: repoRoot });
  const app = new App(
    { mode: options.mode ?? "deploy", stage, name: "polaris", region: REGION, account: ACCOUNT },
    {
      ...(options.outdir ? { outdir: options.outdir } : {}),
      // What `sst deploy` looks up in the account (and caches in cdk.context.json); offline, CDK
      // would otherwise put in "dummy1a"/"dummy1b".
      context: { [`availability-zones:account=${ACCOUNT}:region=${REGION}`]: [`${REGION}a`, `${REGION}b`, `${REGION}c`] },
    },
  );
  polaris(app);
  const placeholders: string[] = [];
  if (options.build) {
    // SST builds cpus-1 functions at a time; each build also waits on an `npm install`.
    process.env.SST_BUILD_CONCURRENCY ??= String(Math.max(4, cpus().length));
    if (options.placeholders || options.buildOnly) {
      stubHandlers((entry) => {
        if (options.buildOnly && !options.buildOnly(entry)) return true;
        if (options.placeholders && !existsSync(join(repoRoot, entry))) return placeholders.push(entry) > 0;
        return false;
      });
    }
    await app.finish();
  }
  const stacks = STACKS.map((fn) => {
    const stack = getStack(fn) as unknown as CdkStack;
    return { name: fn.name, stack, template: Template.fromStack(stack) };
  });
  return { app, stage, stacks, placeholders, findings: nagFindings(stacks.map((s) => s.stack)) };
}

/** Lets SST's build bundle a throwing stub for the handler modules `stub` picks (missing or skipped ones). */
function stubHandlers(stub: (entry: string) => boolean) {
  const handlers = useRuntimeHandlers();
  const build = handlers.build.bind(handlers);
  handlers.build = async (functionID: string, mode: "deploy" | "start") => {
    const props = useFunctions().fromID(functionID);
    const entry = props?.handler?.replace(/\.[^./]+$/, ".ts");
    if (!props || !entry || !props.runtime?.startsWith("nodejs") || !stub(entry)) return build(functionID, mode);
    const out = join(useProject().paths.artifacts, functionID);
    const file = join(out, entry.replace(/\.ts$/, ".mjs"));
    await mkdir(dirname(file), { recursive: true });
    await writeFile(
      file,
      `export const handler = async () => { throw new Error(${JSON.stringify(`${entry} was not bundled when this app was synthesized`)}); };\n`,
    );
    return { type: "success" as const, out, sourcemap: undefined, handler: relative(out, file).replace(/\.mjs$/, ".handler") };
  };
}

/** With SST's App, cdk-nag's findings are only in the construct tree's metadata. */
export function nagFindings(stacks: CdkStack[]): Synthesized["findings"] {
  const findings: Synthesized["findings"] = [];
  for (const stack of stacks) {
    for (const node of stack.node.findAll()) {
      for (const entry of node.node.metadata) {
        if (entry.type !== "aws:cdk:error" && entry.type !== "aws:cdk:warning") continue;
        const message = String(entry.data);
        const rule = message.match(/^([A-Za-z]+-[A-Za-z0-9]+)/)?.[1];
        if (!rule) continue;
        findings.push({ path: node.node.path, level: entry.type === "aws:cdk:error" ? "error" : "warning", rule, message });
      }
    }
  }
  return findings;
}
