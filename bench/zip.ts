/**
 * Zip speed and the zip worker's memory (issue 19): 1,000 files totalling 2 GiB, uploaded into the
 * embedded profile on PostgreSQL, then packed by the zip worker's use case (Zip.runZip: each object
 * streamed out of the object store into the zip, written back by multipart upload) in a process of
 * its own, as its Lambda function runs it. The worker process is started twice, for a quarter of the
 * files and for all of them, so its peak RSS shows whether memory follows the zip's size.
 *
 * Figures ("MB" is 2^20 bytes):
 *  - zip_mbps: the files' bytes ÷ the worker's wall time for the whole job (reading, CRC-32, writing);
 *  - zip_worker_rss_peak_mb / zip_worker_rss_peak_quarter_mb: the worker process's peak resident
 *    memory (getrusage maxrss) for all files / a quarter of them; their difference is
 *    zip_worker_rss_growth_mb (flat: near 0); zip_worker_rss_before_job_mb is the process before the job
 *    runs (the runtime, its modules, tsx's transform: more than a bundled Lambda function holds);
 *  - zip_files, zip_source_mb: what was packed (smaller with BENCH_ZIP_FILES / BENCH_ZIP_MB);
 *  - zip64_entries, zip64_s: a zip of 65,536 empty files (past the 16-bit entry count, so archiver must
 *    write ZIP64 records) made by the same writer in memory, as many entries as Python's zipfile reads
 *    back from it (0 when the ZIP64 end record is missing), and the seconds it took.
 *
 *   npm run bench -- zip
 *   BENCH_ZIP_FILES=200 BENCH_ZIP_MB=256 npx tsx bench/zip.ts   # a smaller run
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { up } from "@polaris/infra-local/services";
import { freshDatabaseEnv } from "@polaris/api-tests/support/database";
import { startTestApp, uploadFile } from "@polaris/api-tests/support";
import { progress, type Figures } from "./lib";

const MiB = 1024 * 1024;
const FILES = Number(process.env.BENCH_ZIP_FILES) || 1000;
const TOTAL_MB = Number(process.env.BENCH_ZIP_MB) || 2048;
const here = fileURLToPath(import.meta.url);
const round1 = (x: number) => Math.round(x * 10) / 10;

/** What the worker process reports on its last line. */
interface WorkerReport {
  seconds: number;
  zipBytes: number;
  rssPeakMb: number;
  /** RSS once the dependencies are built and the job is made, before it runs: what the process holds anyway. */
  rssBeforeMb: number;
  status: string;
}

/** The worker's side: builds the function's dependencies from the environment, starts the job, runs it. */
async function worker() {
  const { createDeps } = await import("@polaris/runtime");
  const { Zip } = await import("@polaris/core");
  const deps = await createDeps(process.env);
  const identities = JSON.parse(process.env.BENCH_ZIP_IDENTITIES!) as string[];
  const job = await Zip.create(deps, Number(process.env.BENCH_ZIP_USER), { identities });
  const rssBeforeMb = process.memoryUsage().rss / MiB;
  const started = performance.now();
  const result = await Zip.runZip(deps, job.id);
  const seconds = (performance.now() - started) / 1000;
  await deps.close();
  const report: WorkerReport = {
    seconds,
    zipBytes: result.status === "done" ? result.zipBytes : 0,
    rssPeakMb: process.resourceUsage().maxRSS / 1024,
    rssBeforeMb,
    status: result.status,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

function runWorker(env: Record<string, string>): Promise<WorkerReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", here], {
      env: { ...process.env, ...env, BENCH_ZIP_WORKER: "1", LOG_LEVEL: "ERROR" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !last.startsWith("{")) return reject(new Error(`zip worker exited ${code}: ${out.slice(-500)}`));
      resolve(JSON.parse(last) as WorkerReport);
    });
  });
}

/** 65,536 entries through the worker's writer into memory, read back by an independent reader. */
async function zip64(): Promise<Figures> {
  const { writeZip } = await import("../packages/core/src/zip/writer");
  const parts: Buffer[] = [];
  const storage = {
    uploadPart: async (_key: string, _uploadId: string, partNumber: number, body: Uint8Array) => {
      parts[partNumber - 1] = Buffer.from(body);
      return `etag-${partNumber}`;
    },
    readStream: async () => (async function* () {})(),
  } as unknown as import("../packages/core/src/ports").ObjectStorage;
  const date = new Date();
  const entries = Array.from({ length: 65_536 }, (_, i) => ({ name: `many/${i}.txt`, isDir: false, size: 0, objectKey: "empty", date }));
  const started = performance.now();
  await writeZip(storage, { key: "zip64", uploadId: "memory" }, entries, {
    partBytes: 0,
    totalBytes: 0,
    onProgress: async () => undefined,
  });
  const seconds = (performance.now() - started) / 1000;
  const zip = Buffer.concat(parts);
  const dir = mkdtempSync(join(tmpdir(), "polaris-zip64-"));
  try {
    writeFileSync(join(dir, "z.zip"), zip);
    const count = Number(
      execFileSync("python3", ["-c", "import sys, zipfile; print(len(zipfile.ZipFile(sys.argv[1]).infolist()))", join(dir, "z.zip")], {
        encoding: "utf8",
      }),
    );
    const hasZip64End = zip.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06]));
    return { zip64_entries: hasZip64End ? count : 0, zip64_s: round1(seconds) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchZip(): Promise<Figures> {
  const many = await zip64();
  progress(`65,536 entries: ${many.zip64_entries} read back, ${many.zip64_s} s`);
  const { postgres } = await up(["postgres"]);
  const database = await freshDatabaseEnv(postgres!.url);
  // The app's own worker and sweeper must not take the jobs the worker process makes.
  const app = await startTestApp(
    { ...database.env, OUTBOX_SWEEP_MS: String(3600_000), ZIP_MAX_BYTES: String(16 * 1024 * MiB) },
    undefined,
    "embedded",
  );
  try {
    const { token } = await app.signUp();
    const size = Math.floor((TOTAL_MB * MiB) / FILES);
    // One random block, each file stamped with its number: distinct contents, nothing deduplicated.
    const block = randomBytes(size);
    const identities: string[] = [];
    const seeded = performance.now();
    for (let i = 0; i < FILES; i++) {
      block.writeUInt32BE(i, 0);
      identities.push(await uploadFile(app, token, block, { name: `file-${String(i).padStart(4, "0")}.bin` }));
      if ((i + 1) % 100 === 0) progress(`uploaded ${i + 1}/${FILES} files`);
    }
    progress(`seeded ${FILES} files of ${(size / MiB).toFixed(2)} MB in ${((performance.now() - seeded) / 1000).toFixed(0)} s`);
    const userId = (await app.deps.db.selectFrom("users").select("id").orderBy("id", "desc").executeTakeFirstOrThrow()).id;
    const c = app.deps.config;
    const env: Record<string, string> = {
      POLARIS_HOME: c.POLARIS_HOME,
      DATABASE_URL: c.DATABASE_URL!,
      MIGRATE_ON_START: "false",
      S3_BUCKET: c.S3_BUCKET,
      S3_ENDPOINT: c.S3_ENDPOINT!,
      S3_FORCE_PATH_STYLE: String(c.S3_FORCE_PATH_STYLE),
      S3_TRUST_CHECKSUMS: String(c.S3_TRUST_CHECKSUMS),
      AWS_REGION: c.AWS_REGION,
      AWS_ACCESS_KEY_ID: c.AWS_ACCESS_KEY_ID!,
      AWS_SECRET_ACCESS_KEY: c.AWS_SECRET_ACCESS_KEY!,
      ZIP_MAX_BYTES: String(16 * 1024 * MiB),
      BENCH_ZIP_USER: String(userId),
    };
    const quarter = await runWorker({ ...env, BENCH_ZIP_IDENTITIES: JSON.stringify(identities.slice(0, Math.ceil(FILES / 4))) });
    progress(`a quarter: ${quarter.status} in ${quarter.seconds.toFixed(1)} s, peak RSS ${quarter.rssPeakMb.toFixed(0)} MB`);
    const all = await runWorker({ ...env, BENCH_ZIP_IDENTITIES: JSON.stringify(identities) });
    progress(
      `all: ${all.status} in ${all.seconds.toFixed(1)} s, peak RSS ${all.rssPeakMb.toFixed(0)} MB (${all.rssBeforeMb.toFixed(0)} MB before the job ran)`,
    );
    if (all.status !== "done" || quarter.status !== "done") throw new Error(`zip jobs ended ${quarter.status} / ${all.status}`);
    const sourceMb = (size * FILES) / MiB;
    return {
      ...many,
      zip_files: FILES,
      zip_source_mb: round1(sourceMb),
      zip_mbps: round1(sourceMb / all.seconds),
      zip_worker_rss_peak_mb: round1(all.rssPeakMb),
      zip_worker_rss_peak_quarter_mb: round1(quarter.rssPeakMb),
      zip_worker_rss_growth_mb: round1(all.rssPeakMb - quarter.rssPeakMb),
      zip_worker_rss_before_job_mb: round1(all.rssBeforeMb),
    };
  } finally {
    await app.close();
    await database.drop();
  }
}

if (process.env.BENCH_ZIP_WORKER) await worker();
else if (process.argv[1] === here) console.log(JSON.stringify(await benchZip(), null, 2));
