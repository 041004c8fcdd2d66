// moto's server (PyPI moto[server], pinned in requirements.txt) in .polaris/venv, as the one
// local endpoint for S3, SQS, EventBridge, Scheduler and DynamoDB; then the project's resources.
import { existsSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { provisionAws } from "./resources";
import {
  hashPaths,
  httpGet,
  pidAlive,
  polarisDir,
  readPid,
  readText,
  run,
  secondsSince,
  serviceError,
  servicesSrcDir,
  spawnDetached,
  stateDir,
  stopPid,
  waitUntil,
  type Log,
} from "./util";

const NAME = "aws";
export const AWS_REGION_DEFAULT = "us-east-1";

/**
 * moto refuses (EntityTooSmall, at CompleteMultipartUpload) any part but the last that is smaller
 * than S3_UPLOAD_PART_MIN_SIZE bytes (default 5 MiB, as AWS). 1 MiB lets tests upload small
 * multi-part files; a part of exactly 1 MiB is accepted.
 */
export const MOTO_PART_MIN_SIZE = 1024 * 1024;

export function awsPort(): number {
  // Below Linux's ephemeral ports, which client sockets can hold (README.md beside this file).
  return Number(process.env.POLARIS_AWS_PORT || 14566);
}

export function awsRegion(): string {
  return process.env.POLARIS_AWS_REGION || AWS_REGION_DEFAULT;
}

const venvDir = join(polarisDir, "venv");
const requirements = join(servicesSrcDir, "requirements.txt");
const motoBin = join(venvDir, "bin", "moto_server");
const hashFile = join(venvDir, ".polaris-requirements.sha256");
/** what our moto's command line contains (checked before trusting or signalling a pid from a file) */
const MOTO_CMD = "moto_server";

function localEndpoint(port = awsPort()): string {
  return `http://127.0.0.1:${port}`;
}

/**
 * An AWS endpoint that is not ours to start (e.g. LocalStack at http://localhost:4566), from
 * POLARIS_AWS_ENDPOINT or AWS_ENDPOINT_URL. An AWS_ENDPOINT_URL that points at our own moto port
 * (as resourceEnv sets it) still means: start moto.
 */
export function externalAwsEndpoint(): string | undefined {
  const raw = process.env.POLARIS_AWS_ENDPOINT || process.env.AWS_ENDPOINT_URL;
  if (!raw) return undefined;
  try {
    const u = new URL(raw);
    const local = ["127.0.0.1", "localhost"].includes(u.hostname) && Number(u.port) === awsPort();
    return local ? undefined : raw.replace(/\/+$/, "");
  } catch {
    return undefined;
  }
}

/**
 * moto answers GET /moto-api/config with its JSON config ({"batch":…,"lambda":…}). (Not
 * /moto-api/data.json: that serializes every model and fails with 500 on some states, e.g. an
 * object whose bucket was deleted.)
 */
async function isMoto(port: number): Promise<boolean> {
  const r = await httpGet(`${localEndpoint(port)}/moto-api/config`, 2_000);
  if (!r || r.status < 200 || r.status > 299) return false;
  try {
    const body = JSON.parse(r.body);
    return typeof body === "object" && body !== null && ("batch" in body || "lambda" in body);
  } catch {
    return false;
  }
}

async function ensureVenv(log: Log): Promise<boolean> {
  const want = hashPaths([requirements]);
  // existsSync follows the venv's python symlink: a venv whose base interpreter is gone is rebuilt
  if (existsSync(motoBin) && existsSync(join(venvDir, "bin", "python")) && readText(hashFile)?.trim() === want) return false;
  const installLog = join(stateDir(NAME), "install.log");
  const t0 = Date.now();
  log(`[aws] installing moto into ${venvDir} (pip install -r ${requirements}), log: ${installLog}`);
  if (!existsSync(join(venvDir, "bin", "python"))) {
    rmSync(venvDir, { recursive: true, force: true });
    let r = await run("python3", ["-m", "venv", venvDir], { logFile: installLog });
    if (r.code !== 0 && existsSync("/usr/bin/python3")) {
      rmSync(venvDir, { recursive: true, force: true });
      r = await run("/usr/bin/python3", ["-m", "venv", venvDir], { logFile: installLog });
    }
    if (r.code !== 0)
      throw serviceError(NAME, `python3 -m venv ${venvDir} exited with ${r.code} (on Debian: apt-get install -y python3-venv)`, installLog);
  }
  const pip = await run(
    join(venvDir, "bin", "python"),
    ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-q", "-r", requirements],
    { logFile: installLog, env: { ...process.env, PIP_NO_INPUT: "1" } },
  );
  if (pip.code !== 0) throw serviceError(NAME, `pip install -r requirements.txt exited with ${pip.code}`, installLog);
  if (!existsSync(motoBin)) throw serviceError(NAME, `pip install succeeded but ${motoBin} is missing`, installLog);
  writeFileSync(hashFile, `${want}\n`);
  log(`[aws] installed moto in ${secondsSince(t0)}`);
  return true;
}

async function startMoto(log: Log): Promise<string> {
  const port = awsPort();
  const endpoint = localEndpoint(port);
  const sd = stateDir(NAME);
  const pidFile = join(sd, "moto.pid");
  const logFile = join(sd, "moto.log");
  if (await isMoto(port)) {
    log(`[aws] moto already answers at ${endpoint}, reused`);
    return endpoint;
  }
  if (await httpGet(`${endpoint}/`, 1_000)) {
    throw serviceError(
      NAME,
      `port 127.0.0.1:${port} is taken by something that is not moto (set POLARIS_AWS_PORT to use another port)`,
      logFile,
    );
  }
  const old = readPid(pidFile);
  if (pidAlive(old, MOTO_CMD)) {
    // ours, but not answering on this port (POLARIS_AWS_PORT changed, or hung): restart
    log(`[aws] our moto (pid ${old}) does not answer on port ${port}: restarting it`);
    await stopPid(old!);
  }
  await ensureVenv(log);
  const t0 = Date.now();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    S3_UPLOAD_PART_MIN_SIZE: String(MOTO_PART_MIN_SIZE),
    PYTHONUNBUFFERED: "1",
  };
  let pid: number;
  try {
    pid = spawnDetached(motoBin, ["-H", "127.0.0.1", "-p", String(port)], { env, logFile, pidFile });
  } catch (e) {
    throw serviceError(NAME, `could not run ${motoBin}`, logFile, e);
  }
  try {
    await waitUntil(`moto to answer on ${endpoint}/moto-api/config`, () => isMoto(port), {
      timeoutMs: 60_000,
      alive: () => pidAlive(pid),
    });
  } catch (e) {
    throw serviceError(NAME, "moto_server did not start", logFile, e);
  }
  log(`[aws] moto started at ${endpoint} in ${secondsSince(t0)} (pid ${pid}, log ${logFile})`);
  return endpoint;
}

export async function upAws(log: Log): Promise<{ endpoint: string; region: string }> {
  const t0 = Date.now();
  const region = awsRegion();
  const external = externalAwsEndpoint();
  let endpoint: string;
  if (external) {
    log(`[aws] using the external endpoint ${external} (from POLARIS_AWS_ENDPOINT/AWS_ENDPOINT_URL): moto is not started`);
    endpoint = external;
  } else {
    endpoint = await startMoto(log);
  }
  const tp = Date.now();
  try {
    await provisionAws({ endpoint, region }, log);
  } catch (e) {
    const logFile = external ? undefined : join(stateDir(NAME), "moto.log");
    throw serviceError(NAME, `provisioning the resources at ${endpoint} failed`, logFile, e);
  }
  log(`[aws] resources provisioned in ${secondsSince(tp)}; ready at ${endpoint} (${region}) in ${secondsSince(t0)}`);
  return { endpoint, region };
}

export async function downAws(): Promise<void> {
  const pidFile = join(stateDir(NAME), "moto.pid");
  const pid = readPid(pidFile);
  if (pidAlive(pid, MOTO_CMD)) await stopPid(pid!);
  if (existsSync(pidFile)) unlinkSync(pidFile);
}

export async function statusAws(): Promise<"running" | "stopped" | "not-installed"> {
  if (pidAlive(readPid(join(stateDir(NAME), "moto.pid")), MOTO_CMD)) return "running";
  if (await isMoto(awsPort())) return "running";
  return existsSync(motoBin) ? "stopped" : "not-installed";
}

export function motoVersion(): string | undefined {
  const m = /moto\[server\]==([\w.]+)/.exec(readFileSync(requirements, "utf8"));
  return m?.[1];
}
