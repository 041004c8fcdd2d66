import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * cfn-lint from PyPI, pinned in stacks/requirements.txt, in the project's virtualenv
 * (.polaris/venv, shared with the parity profile's moto: only ever `pip install` into it).
 */
export function ensureCfnLint(root: string): string {
  const venv = join(root, ".polaris", "venv");
  const bin = join(venv, "bin", "cfn-lint");
  const requirements = join(root, "stacks", "requirements.txt");
  const pinned = readFileSync(requirements, "utf8").match(/^cfn-lint==(\S+)/m)?.[1];
  if (!pinned) throw new Error(`${requirements} must pin cfn-lint (cfn-lint==X.Y.Z)`);
  const version = () => {
    if (!existsSync(bin)) return undefined;
    const r = spawnSync(bin, ["--version"], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim().split(/\s+/).pop() : undefined;
  };
  if (version() === pinned) return bin;

  if (!existsSync(join(venv, "bin", "python"))) {
    const r = spawnSync("python3", ["-m", "venv", venv], { encoding: "utf8" });
    if (r.status !== 0) {
      throw new Error(
        `could not create ${venv} with "python3 -m venv" (exit ${r.status}): ${(r.stderr || r.stdout || String(r.error)).trim()}\n` +
          "On Debian: apt-get install -y python3-venv",
      );
    }
  }
  const pip = spawnSync(
    join(venv, "bin", "python"),
    ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "-r", requirements],
    {
      encoding: "utf8",
      env: { ...process.env, PIP_NO_INPUT: "1" },
      timeout: 300_000,
    },
  );
  if (pip.status !== 0) {
    const output = `${pip.stdout ?? ""}${pip.stderr ?? ""}`.trim().split("\n").slice(-20).join("\n");
    throw new Error(
      `pip install -r stacks/requirements.txt (cfn-lint==${pinned}) into ${venv} failed (exit ${pip.status ?? pip.signal}). ` +
        `PyPI must be reachable, or install it by hand: ${join(venv, "bin", "python")} -m pip install cfn-lint==${pinned}\n${output}`,
    );
  }
  const installed = version();
  if (installed !== pinned)
    throw new Error(`pip installed cfn-lint, but ${bin} --version reports ${installed ?? "nothing"}, not ${pinned}`);
  return bin;
}

/**
 * Lints the templates; errors and warnings fail, with two warnings about generated code left out:
 * W3005 (a DependsOn that a Ref already implies) is how CDK orders roles and custom resources;
 * W3010 (hard-coded availability zones) is how CDK writes the subnets of a stack bound to an
 * account and region (SST's always are): the zone names come from the account at synthesis.
 */
export const CFN_LINT_IGNORED = ["W3005", "W3010"];

const lintArgs = (files: string[]) => ["--format", "parseable", "--ignore-checks", ...CFN_LINT_IGNORED, "--", ...files];

export function cfnLint(bin: string, files: string[]): { ok: boolean; output: string } {
  const r = spawnSync(bin, lintArgs(files), { encoding: "utf8", timeout: 300_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ""}${r.stderr ?? ""}${r.error ? String(r.error) : ""}`.trim() };
}

/** The same, without blocking the event loop (so a test can do other work meanwhile). */
export function cfnLintAsync(bin: string, files: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(bin, lintArgs(files), { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", (error) => resolve({ ok: false, output: `${output}${String(error)}` }));
    child.on("close", (code) => resolve({ ok: code === 0, output: output.trim() }));
  });
}
