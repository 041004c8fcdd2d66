// A real single-node OpenSearch 2.19 assembled from Maven Central jars: the Maven project in
// ./opensearch (a launcher that subclasses org.opensearch.node.Node to load the classpath plugins
// netty4 + analysis-common) is built into .polaris/services/opensearch/{build,lib} and run with java.
import { existsSync, mkdirSync, readdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  hashPaths,
  httpGet,
  pidAlive,
  readPid,
  readText,
  rssMiB,
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

const NAME = "opensearch";
const projectDir = join(servicesSrcDir, "opensearch");
const LAUNCHER = "dev.polaris.opensearch.Launcher";

export function opensearchPort(): number {
  // Below Linux's ephemeral ports, which client sockets can hold (README.md beside this file).
  return Number(process.env.POLARIS_OPENSEARCH_PORT || 19200);
}

/** The transport (node-to-node) port; only bound on loopback, never used by clients. */
export function opensearchTransportPort(): number {
  return Number(process.env.POLARIS_OPENSEARCH_TRANSPORT_PORT || opensearchPort() + 100);
}

function paths() {
  const sd = stateDir(NAME);
  return {
    sd,
    build: join(sd, "build"),
    lib: join(sd, "lib"),
    jar: join(sd, "build", "polaris-opensearch-launcher.jar"),
    hashFile: join(sd, "build.sha256"),
    home: join(sd, "home"),
    data: join(sd, "data"),
    logs: join(sd, "logs"),
    pidFile: join(sd, "opensearch.pid"),
    logFile: join(sd, "opensearch.log"),
    buildLog: join(sd, "build.log"),
  };
}

function javaBin(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
}

async function isOpenSearch(port: number): Promise<boolean> {
  const r = await httpGet(`http://127.0.0.1:${port}/`, 2_000);
  if (r?.status !== 200) return false;
  try {
    return JSON.parse(r.body)?.version?.distribution === "opensearch";
  } catch {
    return false;
  }
}

async function healthy(port: number): Promise<boolean> {
  const r = await httpGet(`http://127.0.0.1:${port}/_cluster/health?wait_for_status=yellow&timeout=2s`, 5_000);
  if (r?.status !== 200) return false;
  try {
    const s = JSON.parse(r.body).status;
    return s === "yellow" || s === "green";
  } catch {
    return false;
  }
}

function built(p: ReturnType<typeof paths>, want: string): boolean {
  return (
    existsSync(p.jar) &&
    existsSync(p.lib) &&
    readdirSync(p.lib).some((f) => f.startsWith("opensearch-2.")) &&
    readText(p.hashFile)?.trim() === want
  );
}

/** mvn package + copy-dependencies, skipped when the jar and lib exist and pom/sources are unchanged. */
async function ensureBuilt(log: Log): Promise<boolean> {
  const p = paths();
  const want = hashPaths([join(projectDir, "pom.xml"), join(projectDir, "src")]);
  if (built(p, want)) return false;
  const t0 = Date.now();
  log(`[opensearch] building the node from Maven Central jars (mvn package in ${projectDir}), log: ${p.buildLog}`);
  rmSync(p.lib, { recursive: true, force: true });
  rmSync(p.hashFile, { force: true });
  const r = await run(
    "mvn",
    [
      "-q",
      "-B",
      "-f",
      join(projectDir, "pom.xml"),
      `-Dpolaris.build.dir=${p.build}`,
      `-Dpolaris.lib.dir=${p.lib}`,
      "package",
      "dependency:copy-dependencies",
    ],
    { logFile: p.buildLog, cwd: projectDir },
  ).catch((e: Error) => {
    throw serviceError(NAME, `could not run mvn (is Maven installed? apt-get install -y maven)`, p.buildLog, e);
  });
  if (r.code !== 0) throw serviceError(NAME, `mvn package exited with ${r.code}`, p.buildLog);
  if (!existsSync(p.jar)) throw serviceError(NAME, `mvn package succeeded but ${p.jar} is missing`, p.buildLog);
  writeFileSync(p.hashFile, `${want}\n`);
  log(`[opensearch] built in ${secondsSince(t0)}`);
  return true;
}

export async function upOpenSearch(log: Log): Promise<{ url: string }> {
  const t0 = Date.now();
  const port = opensearchPort();
  const url = `http://127.0.0.1:${port}`;
  const p = paths();
  if (await isOpenSearch(port)) {
    await waitUntil(`${url} to be yellow`, () => healthy(port), { timeoutMs: 120_000 }).catch((e) => {
      throw serviceError(NAME, `an OpenSearch at ${url} answers but is not healthy`, p.logFile, e);
    });
    log(`[opensearch] already running at ${url}, reused (${secondsSince(t0)})`);
    return { url };
  }
  if (await httpGet(`${url}/`, 1_000)) {
    throw serviceError(
      NAME,
      `port 127.0.0.1:${port} is taken by something that is not OpenSearch (set POLARIS_OPENSEARCH_PORT to use another port)`,
      p.logFile,
    );
  }
  const old = readPid(p.pidFile);
  if (pidAlive(old, LAUNCHER)) {
    // ours but not answering on this port (port changed, or stuck starting): restart
    log(`[opensearch] our node (pid ${old}) does not answer on port ${port}: restarting it`);
    await stopPid(old!, 30_000);
  }
  await ensureBuilt(log);
  // modules/ and plugins/ must exist and stay empty: plugins come from the classpath
  for (const d of [p.home, join(p.home, "modules"), join(p.home, "plugins"), join(p.home, "config"), join(p.home, "tmp"), p.data, p.logs]) {
    mkdirSync(d, { recursive: true });
  }
  const tStart = Date.now();
  const settings: Record<string, string> = {
    "path.home": p.home,
    "path.data": p.data,
    "path.logs": p.logs,
    "cluster.name": "polaris-local",
    "node.name": "polaris-local",
    "discovery.type": "single-node",
    "network.host": "127.0.0.1",
    "http.port": String(port),
    "transport.port": String(opensearchTransportPort()),
    "cluster.routing.allocation.disk.threshold_enabled": "false",
    "node.store.allow_mmap": "false",
  };
  const args = [
    "-Xms512m",
    "-Xmx1g",
    "-XX:+UseG1GC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djava.awt.headless=true",
    "-Dfile.encoding=UTF-8",
    "-Djna.nosys=true",
    "-Dlog4j2.disable.jmx=true",
    "-Dlog4j.shutdownHookEnabled=false",
    "-Djava.locale.providers=SPI,COMPAT",
    `-Djava.io.tmpdir=${join(p.home, "tmp")}`,
    "-cp",
    `${p.jar}:${p.lib}/*`,
    LAUNCHER,
    ...Object.entries(settings).map(([k, v]) => `-E${k}=${v}`),
  ];
  let pid: number;
  try {
    pid = spawnDetached(javaBin(), args, { logFile: p.logFile, pidFile: p.pidFile, cwd: p.home });
  } catch (e) {
    throw serviceError(NAME, `could not run ${javaBin()} (is a Java 17 JDK installed? set JAVA_HOME)`, p.logFile, e);
  }
  try {
    await waitUntil(`${url}/_cluster/health?wait_for_status=yellow`, () => healthy(port), {
      timeoutMs: 180_000,
      intervalMs: 500,
      alive: () => pidAlive(pid),
    });
  } catch (e) {
    throw serviceError(NAME, "the node did not start", p.logFile, e);
  }
  log(`[opensearch] started at ${url} in ${secondsSince(tStart)} (pid ${pid}, RSS ${rssMiB(pid) ?? "?"} MiB, log ${p.logFile})`);
  log(`[opensearch] ready at ${url} in ${secondsSince(t0)}`);
  return { url };
}

export async function downOpenSearch(): Promise<void> {
  const p = paths();
  const pid = readPid(p.pidFile);
  if (pidAlive(pid, LAUNCHER)) await stopPid(pid!, 30_000);
  if (existsSync(p.pidFile)) unlinkSync(p.pidFile);
}

export async function statusOpenSearch(): Promise<"running" | "stopped" | "not-installed"> {
  const p = paths();
  if (pidAlive(readPid(p.pidFile), LAUNCHER)) return "running";
  if (await isOpenSearch(opensearchPort())) return "running";
  return existsSync(p.jar) && existsSync(p.lib) ? "stopped" : "not-installed";
}

/** Resident memory of our OpenSearch JVM in MiB, if it runs. */
export function opensearchRssMiB(): number | undefined {
  const pid = readPid(paths().pidFile);
  return pidAlive(pid, LAUNCHER) ? rssMiB(pid) : undefined;
}
