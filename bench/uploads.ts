/**
 * Upload speed (issue 14, part 6): a 1 GiB upload through presigned URLs into the embedded object
 * store, end to end through the product's API (presign → PUT, or the parts 3 in flight as the
 * console sends them → callback), as one PUT and as a multipart upload, beside a floor measured in
 * the same run: a bare `node:http` server that streams a PUT to disk while hashing it with SHA-256,
 * and nothing else.
 *
 * Each server runs in a process of its own (bench/server.ts as `npm start` runs the product; the
 * floor under tsx), so its CPU (utime + stime of every thread, from /proc/<pid>/stat) and memory are
 * apart from the client's. The client is the same for all three: one streaming `node:http` PUT per
 * object or part, fed 1 MiB blocks that are never gathered into one buffer.
 *
 * The three run in paired rounds (floor, single, multipart; the order turns every round), each
 * upload of fresh content (so nothing is deduplicated), and each ratio is the median of the rounds'
 * own ratios: a machine whose speed moves between rounds moves the floor with it.
 *
 * Figures ("MB" is 2^20 bytes, as the bench's other MB figures):
 *  - upload_{floor,single,multipart}_mbps: bytes ÷ wall time (the product's from presign to the
 *    callback's answer: the whole upload a user waits for);
 *  - upload_…_cpu_s_per_gib: the server process's CPU over the same span, per GiB;
 *  - upload_{single,multipart}_{mbps,cpu_s_per_gib}_vs_floor: the ratios the goals are about;
 *  - upload_rss_above_idle_mb: the server's peak resident memory above its RSS just before the
 *    upload, the worst of every single and multipart upload (the kernel's VmHWM, reset before each
 *    upload through /proc/<pid>/clear_refs when allowed, and 20 ms samples).
 *
 *   npm run bench -- uploads
 *   BENCH_PROFILE_DIR=/tmp/prof BENCH_ROUNDS=1 npx tsx bench/uploads.ts   # a .cpuprofile per server
 */
import { createHash, randomBytes, type Hash } from "node:crypto";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { Agent, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "./http";
import { api, median, progress, type Figures } from "./lib";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const SIZE = GiB;
const ROUNDS = Number(process.env.BENCH_ROUNDS) || 5;
/** Parts in flight, as the console sends them (packages/web/app/upload.ts). */
const PART_CONCURRENCY = 3;
const PART_SIZE = 16 * MiB;
const round2 = (x: number) => Math.round(x * 100) / 100;
/** node's flags for a server: `--cpu-prof` into BENCH_PROFILE_DIR when it is set. */
const profiled = (name: string) => [
  ...(process.env.BENCH_PROFILE_DIR
    ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`, ...(name === "floor" ? [] : [`--cpu-prof-name=${name}.cpuprofile`])]
    : []),
  ...(process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
];

// ---------------------------------------------------------------------------------------------
// Content: pseudo-random 1 MiB blocks from a pool of 17 (so no two 16 MiB parts are alike), the
// last block stamped with a nonce of the upload's own. All uploads share everything but that last
// block, so the SHA-256 of the common part is computed once and each upload's hash costs one block.

const POOL_BLOCKS = 17;
const pool = Array.from({ length: POOL_BLOCKS }, () => randomBytes(MiB));
const blockAt = (index: number) => pool[index % POOL_BLOCKS];
const lastIndex = Math.ceil(SIZE / MiB) - 1;
let commonHash: Hash | null = null;

interface Content {
  size: number;
  sha256: Buffer;
  /** The bytes [from, to), as 1 MiB blocks (shared buffers: a block is never written to). */
  blocks(from: number, to: number): Generator<Buffer>;
}

function content(): Content {
  const last = Buffer.from(blockAt(lastIndex));
  randomBytes(32).copy(last);
  const lastBlock = last.subarray(0, SIZE - lastIndex * MiB);
  if (!commonHash) {
    commonHash = createHash("sha256");
    for (let i = 0; i < lastIndex; i++) commonHash.update(blockAt(i));
  }
  return {
    size: SIZE,
    sha256: commonHash.copy().update(lastBlock).digest(),
    *blocks(from, to) {
      for (let offset = from; offset < to; ) {
        const index = Math.floor(offset / MiB);
        const block = index === lastIndex ? lastBlock : blockAt(index);
        const start = offset - index * MiB;
        const end = Math.min(block.length, to - index * MiB);
        yield start === 0 && end === block.length ? block : block.subarray(start, end);
        offset = index * MiB + end;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The client: one streaming PUT (the same for the floor and the product).

const agent = new Agent({ keepAlive: true, maxSockets: PART_CONCURRENCY + 1 });

export function put(url: string, blocks: Iterable<Buffer>, length: number, headers: Record<string, string> = {}, method = "PUT") {
  return new Promise<{ etag: string; body: string }>((resolve, reject) => {
    const req = request(url, { method, agent, headers: { ...headers, "content-length": String(length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode === 200) resolve({ etag: String(res.headers.etag), body });
        else reject(new Error(`${method} ${new URL(url).pathname}: ${res.statusCode} ${body.slice(0, 300)}`));
      });
    });
    req.on("error", reject);
    (async () => {
      for (const block of blocks) if (!req.write(block)) await new Promise((r) => req.once("drain", r));
      req.end();
    })().catch(reject);
  });
}

// ---------------------------------------------------------------------------------------------
// /proc readings of a server process.

const CLK_TCK = 100;
/** utime + stime of every thread of the process, in seconds. */
function cpuSeconds(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}
const statusMb = (pid: number, field: string) => {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
};

/** Runs one upload and reads the server's CPU and memory around it. */
async function measured(pid: number, run: () => Promise<unknown>) {
  // The previous upload's garbage and the kernel's writeback of its pages settle first.
  await new Promise((r) => setTimeout(r, 1500));
  let hwm = false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    hwm = true;
  } catch {
    // Not allowed here: the samples alone.
  }
  const idle = statusMb(pid, "VmRSS");
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, statusMb(pid, "VmRSS"))), 20);
  const cpu0 = cpuSeconds(pid);
  const t0 = performance.now();
  try {
    await run();
  } finally {
    clearInterval(sampler);
  }
  const seconds = (performance.now() - t0) / 1000;
  // What the server still does for the upload once the callback answered (its ObjectCreated
  // notification completes the upload a second time, finding it done) counts too: CPU is read
  // once the process is quiet (under 10 ms in 200 ms), within 3 s.
  let cpu1 = cpuSeconds(pid);
  for (const until = Date.now() + 3000; Date.now() < until; ) {
    await new Promise((r) => setTimeout(r, 200));
    const now = cpuSeconds(pid);
    if (now - cpu1 < 0.01) break;
    cpu1 = now;
  }
  const cpu = cpu1 - cpu0;
  peak = Math.max(peak, statusMb(pid, "VmRSS"), hwm ? statusMb(pid, "VmHWM") : 0);
  return { mbps: SIZE / MiB / seconds, cpuPerGib: (cpu * GiB) / SIZE, rssAboveIdle: peak - idle, seconds };
}

// ---------------------------------------------------------------------------------------------
// The floor: a bare node:http server that streams each PUT to a file while hashing it.

function serveFloor(dir: string) {
  const server = createServer((req, res) => {
    const file = join(dir, (req.url ?? "").replace(/[^a-z0-9-]/g, ""));
    // DELETE after the measurement (the bench deletes the product's uploads too, through its API).
    if (req.method === "DELETE") return void unlink(file).then(() => res.writeHead(200, { "content-length": "0" }).end());
    const out = createWriteStream(file);
    const hash = createHash("sha256");
    req.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      if (!out.write(chunk)) req.pause();
    });
    out.on("drain", () => req.resume());
    req.on("end", () => out.end());
    out.on("finish", () => res.writeHead(200, { etag: `"${hash.digest("base64")}"`, "content-length": "0" }).end());
    req.on("error", () => out.destroy());
  });
  server.listen(0, "127.0.0.1", () => {
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
  });
  process.on("SIGTERM", () => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
}

// ---------------------------------------------------------------------------------------------
// The product: presign → PUT(s) → callback on the embedded profile.

type Product = Awaited<ReturnType<typeof startProduct>>;

async function startProduct(mode: "single" | "multipart") {
  const home = mkdtempSync(join(tmpdir(), `polaris-bench-upload-${mode}-`));
  const server = await startServer(
    {
      POLARIS_HOME: home,
      PGLITE_DIR: "memory",
      DEFAULT_QUOTA_BYTES: String(1024 * GiB),
      // One PUT up to the object's size; multipart above 1 MiB, in the product's default part size.
      MULTIPART_THRESHOLD_BYTES: String(mode === "single" ? SIZE : MiB),
      MULTIPART_PART_SIZE_BYTES: String(PART_SIZE),
    },
    undefined,
    [],
    profiled(mode),
  );
  const { accessToken: token } = await api(server.url, "POST", "/usercenter/v1/user/register", {
    mobile: mode === "single" ? "13900000011" : "13900000012",
    password: "bench-password",
  });
  return {
    ...server,
    token,
    async stop() {
      await server.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

async function uploadThrough(server: Product, data: Content, name: string) {
  const plan = await api(
    server.url,
    "POST",
    "/file/v1/upload/presign",
    { hash: data.sha256.toString("hex"), size: data.size, name, mimeType: "application/octet-stream" },
    server.token,
  );
  let parts: { partNumber: number; etag: string }[] | undefined;
  if (plan.mode === "single") {
    await put(plan.uploadUrl, data.blocks(0, data.size), data.size, plan.headers);
  } else {
    const queue = [...plan.parts] as { partNumber: number; url: string }[];
    parts = [];
    await Promise.all(
      Array.from({ length: PART_CONCURRENCY }, async () => {
        for (let part = queue.shift(); part; part = queue.shift()) {
          const from = (part.partNumber - 1) * plan.partSize;
          const to = Math.min(data.size, from + plan.partSize);
          parts!.push({ partNumber: part.partNumber, etag: (await put(part.url, data.blocks(from, to), to - from)).etag });
        }
      }),
    );
    parts.sort((a, b) => a.partNumber - b.partNumber);
  }
  const done = await api(server.url, "POST", "/file/v1/upload/callback", { uploadKey: plan.uploadKey, parts }, server.token);
  if (done.file?.size !== data.size) throw new Error(`callback answered ${JSON.stringify(done).slice(0, 300)}`);
  return { mode: plan.mode as "single" | "multipart", identity: done.identity as string };
}

/**
 * Deletes an uploaded file for good (recycle bin emptied: its object goes), after its measurement:
 * the next upload's page cache then comes from the pages it freed, as on a server that has been
 * running, instead of memory the machine never touched (on this VM a first touch costs the
 * guest several times the copy itself: 256 MiB written into fresh pages took 300–770 ms of
 * system CPU where reused ones took 60–70 ms).
 */
export async function discard(base: string, token: string, identity: string) {
  await api(base, "POST", "/file/v1/file/delete", { identities: [identity] }, token);
  await api(base, "POST", "/file/v1/trash/clear", {}, token);
}

/** A small upload first: the routes load their modules at their first request, and the JIT warms up. */
async function warmUp(server: Product, mode: "single" | "multipart") {
  const small = 24 * MiB;
  const bytes = randomBytes(small);
  const sha256 = createHash("sha256").update(bytes).digest();
  const warm: Content = {
    size: small,
    sha256,
    *blocks(from, to) {
      for (let o = from; o < to; o += MiB) yield bytes.subarray(o, Math.min(o + MiB, to));
    },
  };
  // The single server's threshold is the big object's size, so 24 MiB goes as one PUT there too.
  const got = await uploadThrough(server, warm, `warm-up-${mode}.bin`);
  if (got.mode !== mode) throw new Error(`the ${mode} server planned a ${got.mode} upload`);
  await discard(server.url, server.token, got.identity);
}

export async function benchUploads(): Promise<Figures> {
  progress(`content: SHA-256 of the 1 GiB stream (once)`);
  content();
  const started: { stop(): Promise<void> }[] = [];
  const start = async <T extends { stop(): Promise<void> }>(server: Promise<T>) => (started.push(await server), started.at(-1) as T);
  try {
    const floor = await start(
      startServer(
        { POLARIS_HOME: mkdtempSync(join(tmpdir(), "polaris-bench-upload-floor-")) },
        import.meta.filename,
        ["--serve-floor"],
        profiled("floor"),
      ),
    );
    const single = await start(startProduct("single"));
    const multipart = await start(startProduct("multipart"));
    await warmUp(single, "single");
    await warmUp(multipart, "multipart");
    await put(`${floor.url}/warm-up`, content().blocks(0, 64 * MiB), 64 * MiB);
    await put(`${floor.url}/warm-up`, [], 0, {}, "DELETE");
    type Run = Awaited<ReturnType<typeof measured>>;
    const rounds: Record<"floor" | "single" | "multipart", Run>[] = [];
    // Each upload is deleted after its measurement, the floor's as the product's: a run that kept
    // them filled the page cache with 15 GiB, and reclaiming it slowed every later round.
    const legs = {
      floor: async () => {
        const run = await measured(floor.pid, () => put(`${floor.url}/object`, content().blocks(0, SIZE), SIZE));
        await put(`${floor.url}/object`, [], 0, {}, "DELETE");
        return run;
      },
      ...(Object.fromEntries(
        (
          [
            ["single", single],
            ["multipart", multipart],
          ] as const
        ).map(([leg, server]) => [
          leg,
          async () => {
            const data = content();
            let identity = "";
            const run = await measured(
              server.pid,
              async () => (identity = (await uploadThrough(server, data, `big-${rounds.length}.bin`)).identity),
            );
            await discard(server.url, server.token, identity);
            return run;
          },
        ]),
      ) as Record<"single" | "multipart", () => Promise<Run>>),
    };
    const order = ["floor", "single", "multipart"] as const;
    for (let round = 0; round < ROUNDS; round++) {
      const turn = [...order.slice(round % 3), ...order.slice(0, round % 3)];
      const result = {} as Record<(typeof order)[number], Run>;
      for (const leg of turn) {
        progress(`1 GiB ${leg === "floor" ? "PUT to the floor" : `${leg} upload, presign → callback`} (round ${round + 1} of ${ROUNDS})`);
        result[leg] = await legs[leg]();
        progress(
          `  ${result[leg].mbps.toFixed(0)} MB/s, ${result[leg].cpuPerGib.toFixed(2)} CPU s/GiB, +${result[leg].rssAboveIdle.toFixed(0)} MB RSS`,
        );
      }
      rounds.push(result);
    }

    const figures: Figures = {};
    for (const leg of order) {
      figures[`upload_${leg}_mbps`] = Math.round(median(rounds.map((r) => r[leg].mbps)));
      figures[`upload_${leg}_cpu_s_per_gib`] = round2(median(rounds.map((r) => r[leg].cpuPerGib)));
    }
    for (const leg of ["single", "multipart"] as const) {
      const speed = rounds.map((r) => r[leg].mbps / r.floor.mbps);
      const cpu = rounds.map((r) => r[leg].cpuPerGib / r.floor.cpuPerGib);
      figures[`upload_${leg}_mbps_vs_floor`] = round2(median(speed));
      figures[`upload_${leg}_mbps_vs_floor_worst`] = round2(Math.min(...speed));
      figures[`upload_${leg}_cpu_s_per_gib_vs_floor`] = round2(median(cpu));
      figures[`upload_${leg}_cpu_s_per_gib_vs_floor_worst`] = round2(Math.max(...cpu));
      figures[`upload_${leg}_rss_above_idle_mb`] = Math.round(Math.max(...rounds.map((r) => r[leg].rssAboveIdle)));
    }
    figures.upload_floor_rss_above_idle_mb = Math.round(Math.max(...rounds.map((r) => r.floor.rssAboveIdle)));
    figures.upload_rss_above_idle_mb = Math.max(figures.upload_single_rss_above_idle_mb, figures.upload_multipart_rss_above_idle_mb);
    return figures;
  } finally {
    agent.destroy();
    await Promise.all(started.map((server) => server.stop()));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes("--serve-floor")) serveFloor(process.env.POLARIS_HOME!);
  else console.table(await benchUploads());
}
