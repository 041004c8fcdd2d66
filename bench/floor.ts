/**
 * The floor: what list, detail, presign, instant (and info) cost with no framework around them,
 * measured in the same run as the real stack, so the ratios (stack ÷ floor) show what the stack
 * itself costs and hold still while the shared machine's speed moves.
 *
 * The floor server is a bare `node:http` server in a child process of its own (like bench/server.ts,
 * so the load generator's CPU is apart from it). Per request it does exactly this:
 *  - reads the request; a POST body goes through `JSON.parse` (nothing validates it);
 *  - checks the bearer token as HS256 needs and no more: HMAC-SHA256 of `header.payload` with the
 *    app's secret, a constant-time compare, `exp` in the future (node:crypto; no jose, no iss/aud);
 *  - runs the SQL the core use case runs, through a pool built by the app's own `createPgPool` with
 *    the same DATABASE_POOL_SIZE on the same PostgreSQL server. The statements are recorded at start-up
 *    by running the real use case once (core, not HTTP) on the floor's database with the pg client
 *    watched: the same text, the same parameters, the same transactions on one connection, and the
 *    statements the use case runs in parallel again in parallel;
 *  - presign only: signs the PUT URL through the app's storage adapter, as the use case does;
 *  - answers the rows of the last statements as JSON in the `{code,msg,data}` envelope.
 * Left out, because it is the stack whose cost the ratios show: middy and its middlewares, the
 * gateway's API Gateway event, zod validation, jose, kysely's query building, row mapping, the
 * idempotency check, the outbox publish after each POST, CORS headers and the request log line.
 * The floor ignores the query and body (it replays one recorded request); a presign creates a new
 * upload each time, so the UUIDs the use case generated (upload key, object key, job name) are
 * replaced by fresh ones per request.
 *
 *   DATABASE_URL=postgres://… npx tsx bench/floor.ts     # floor figures on that server
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { fileRoutes } from "@polaris/contract";
import { createPgPool } from "@polaris/adapters";
import { Files, Uploads, Users } from "@polaris/core";
import { createDeps, type AppDeps } from "@polaris/runtime";
import { startServer } from "./http";
import { load, progress, type Figures, type LoadOptions, type LoadTarget } from "./lib";

/** The inputs bench/http.ts sends: a folder with 50 children, a 1-byte presign into it, instant upload of known content. */
const KNOWN = { hash: "5".repeat(64), size: 21 };

interface Statement {
  text: string;
  values: unknown[];
}
/** One statement on its own, or a transaction's statements on one connection (begin … commit included). */
interface Unit {
  statements: Statement[];
  transaction: boolean;
  started: number;
  ended: number;
}
interface Endpoint {
  method: "GET" | "POST";
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  /** Runs the use case once, for the recording; returns the UUIDs it generated. */
  record(deps: AppDeps): Promise<string[]>;
  /** Non-SQL work the use case must do (presign signs a URL). */
  extra?(deps: AppDeps, fresh: (s: string) => string): Promise<unknown>;
}

/**
 * Watches every pg client query while `run` runs: which connection, when it started and ended (on a
 * logical clock), its text and parameters. kysely sends `begin`/`commit` as queries too.
 */
async function recordQueries(run: () => Promise<unknown>) {
  const log: (Statement & { client: object; started: number; ended: number })[] = [];
  let tick = 0;
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: object, ...args: unknown[]) {
    const config = args[0] as string | { text: string; values?: unknown[] };
    const entry = {
      client: this,
      text: typeof config === "string" ? config : config.text,
      values: (args[1] as unknown[] | undefined) ?? (typeof config === "string" ? [] : (config.values ?? [])),
      started: ++tick,
      ended: Number.POSITIVE_INFINITY,
    };
    log.push(entry);
    return (original.apply(this, args) as Promise<unknown>).finally(() => {
      entry.ended = ++tick;
    });
  };
  try {
    await run();
  } finally {
    proto.query = original;
  }
  return log;
}

/** Groups the recorded queries into units, and units into waves that ran in parallel. */
function plan(log: Awaited<ReturnType<typeof recordQueries>>): Unit[][] {
  const units: Unit[] = [];
  const open = new Map<object, Unit>();
  for (const entry of log) {
    const statement = { text: entry.text, values: entry.values };
    const tx = open.get(entry.client);
    if (tx) {
      tx.statements.push(statement);
      if (/^(commit|rollback)\b/i.test(entry.text)) {
        tx.ended = entry.ended;
        open.delete(entry.client);
      }
    } else if (/^(begin|start transaction)\b/i.test(entry.text)) {
      const unit = { statements: [statement], transaction: true, started: entry.started, ended: entry.ended };
      units.push(unit);
      open.set(entry.client, unit);
    } else {
      units.push({ statements: [statement], transaction: false, started: entry.started, ended: entry.ended });
    }
  }
  const waves: Unit[][] = [];
  let waveEnd = 0;
  for (const unit of units) {
    if (waves.length && unit.started < waveEnd) waves[waves.length - 1].push(unit);
    else waves.push([unit]);
    waveEnd = Math.max(waveEnd, unit.ended);
  }
  return waves;
}

const replaceIn = (value: unknown, fresh: (s: string) => string): unknown =>
  typeof value === "string" ? fresh(value) : Array.isArray(value) ? value.map((v) => replaceIn(v, fresh)) : value;

async function replay(pool: pg.Pool, waves: Unit[][], fresh: (s: string) => string) {
  let rows: unknown[] = [];
  for (const wave of waves) {
    const results = await Promise.all(
      wave.map(async (unit) => {
        if (!unit.transaction) {
          const { text, values } = unit.statements[0];
          return [(await pool.query(text, replaceIn(values, fresh) as unknown[])).rows];
        }
        const client = await pool.connect();
        try {
          const out: unknown[][] = [];
          for (const { text, values } of unit.statements) out.push((await client.query(text, replaceIn(values, fresh) as unknown[])).rows);
          return out;
        } catch (error) {
          await client.query("rollback").catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      }),
    );
    rows = results.flatMap((r) => r.filter((x) => x.length)).flat();
  }
  return rows;
}

/** HS256 as the app issues it: signature and expiry, nothing else. */
function verifiedUser(header: string | undefined, key: Buffer): number | null {
  const [h, p, s] = (header ?? "").replace(/^Bearer\s+/i, "").split(".");
  if (!h || !p || !s) return null;
  const mac = createHmac("sha256", key).update(`${h}.${p}`).digest();
  const sig = Buffer.from(s, "base64url");
  if (sig.length !== mac.length || !timingSafeEqual(sig, mac)) return null;
  const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as { sub?: string; exp?: number };
  return (claims.exp ?? 0) > Date.now() / 1000 ? Number(claims.sub) : null;
}

async function readBody(req: IncomingMessage) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString("utf8")) : undefined;
}

/** The floor's process: fixture, recording, then the bare server. Prints `{url, targets}` once listening. */
async function serve() {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
  const secret = randomUUID() + randomUUID();
  // Presigning is local work: any path-style endpoint with static credentials signs as the embedded S3's does.
  const deps = await createDeps({
    ...process.env,
    JWT_SECRET: secret,
    LOG_LEVEL: "ERROR",
    S3_ENDPOINT: "http://127.0.0.1:9",
    S3_FORCE_PATH_STYLE: "true",
    AWS_ACCESS_KEY_ID: "FLOOR",
    AWS_SECRET_ACCESS_KEY: secret,
  });
  const userId = await fixtureUser(deps);
  const folder = await Files.createFolder(deps, userId, { name: "bench" });
  for (let i = 0; i < 50; i++) await Files.createFolder(deps, userId, { name: `d${i}`, parentId: folder.identity });
  await deps.db.insertInto("blobs").values({ sha256: KNOWN.hash, size: KNOWN.size, object_key: "floor/known", ref_count: 1 }).execute();

  const presignBody = { hash: "0".repeat(64), size: 1, name: "p.bin", parentId: folder.identity };
  const instantBody = { ...KNOWN, name: "again.txt" };
  const endpoints: Record<string, Endpoint> = {
    info: { method: "GET", path: "/usercenter/v1/user/info", record: async (d) => (await Users.getInfo(d, userId), []) },
    list: {
      method: "GET",
      path: "/file/v1/file/list",
      query: { parentId: folder.identity, pageSize: "50" },
      record: async (d) => (await Files.list(d, userId, fileRoutes.list.query!.parse({ parentId: folder.identity, pageSize: "50" })), []),
    },
    detail: {
      method: "GET",
      path: "/file/v1/file/detail",
      query: { identity: folder.identity },
      record: async (d) => (await Files.detail(d, userId, folder.identity), []),
    },
    presign: {
      method: "POST",
      path: "/file/v1/upload/presign",
      body: presignBody,
      record: async (d) => [(await Uploads.presign(d, userId, fileRoutes.uploadPresign.body!.parse(presignBody))).uploadKey],
      extra: (d, fresh) =>
        d.storage.presignPut(fresh(`uploads/${userId}/${recorded.presign.generated[0]}`), {
          size: presignBody.size,
          sha256Base64: Buffer.from(presignBody.hash, "hex").toString("base64"),
          contentType: "application/octet-stream",
          expiresInSeconds: d.config.PRESIGN_EXPIRES_SECONDS,
        }),
    },
    instant: {
      method: "POST",
      path: "/file/v1/upload/instant",
      body: instantBody,
      record: async (d) => (await Uploads.instant(d, userId, fileRoutes.uploadInstant.body!.parse(instantBody)), []),
    },
  };
  const recorded: Record<string, { waves: Unit[][]; generated: string[] }> = {};
  for (const [name, endpoint] of Object.entries(endpoints)) {
    let generated: string[] = [];
    const waves = plan(await recordQueries(async () => (generated = await endpoint.record(deps))));
    recorded[name] = { waves, generated };
  }

  const pool = createPgPool(deps.config.DATABASE_URL!, deps.config.DATABASE_POOL_SIZE);
  const key = Buffer.from(secret, "utf8");
  const byPath = new Map(Object.entries(endpoints).map(([name, e]) => [e.path, name]));
  const answer = async (req: IncomingMessage, res: ServerResponse) => {
    try {
      const name = byPath.get((req.url ?? "").split("?")[0]);
      if (!name) {
        res.writeHead(404).end();
        return;
      }
      if (req.method === "POST") await readBody(req);
      if (verifiedUser(req.headers.authorization, key) !== userId) {
        res.writeHead(401, { "content-type": "application/json" }).end('{"code":100003,"msg":"unauthorized"}');
        return;
      }
      const { waves, generated } = recorded[name];
      const map = new Map(generated.map((g) => [g, randomUUID()]));
      const fresh = (s: string) => {
        for (const [from, to] of map) if (s.includes(from)) s = s.replaceAll(from, to);
        return s;
      };
      const rows = await replay(pool, waves, fresh);
      const extra = await endpoints[name].extra?.(deps, fresh);
      res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ code: 200, msg: "OK", data: { rows, extra } }));
    } catch (error) {
      console.error("floor:", error);
      res.writeHead(500).end();
    }
  };
  // Each request until its handler returns: a client that hung up (the load generator at its end)
  // does not end its handler, which must not find the pool closed.
  const inFlight = new Set<Promise<void>>();
  const server = createServer((req, res) => {
    const handling = answer(req, res);
    inFlight.add(handling);
    const settled = () => void inFlight.delete(handling);
    handling.then(settled, settled);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { accessToken } = await deps.tokens.issue(userId);
  const targets = Object.fromEntries(
    Object.entries(endpoints).map(([name, e]) => [
      name,
      {
        url: `${url}${e.path}${e.query ? `?${new URLSearchParams(e.query)}` : ""}`,
        method: e.method,
        headers: { authorization: `Bearer ${accessToken}` },
        ...(e.body ? { body: JSON.stringify(e.body) } : {}),
      } satisfies LoadTarget,
    ]),
  );
  process.stdout.write(
    `${JSON.stringify({ url, targets, statements: Object.fromEntries(Object.entries(recorded).map(([n, r]) => [n, r.waves.flat().flatMap((u) => u.statements).length])) })}\n`,
  );
  process.on("SIGTERM", async () => {
    // Requests in flight are answered before the pool closes under them.
    const closed = new Promise((resolve) => server.close(resolve));
    server.closeIdleConnections();
    await Promise.all([closed, ...inFlight]);
    await pool.end();
    await deps.close();
    process.exit(0);
  });
}

async function fixtureUser(deps: AppDeps) {
  const mobile = `1${String(Date.now()).slice(-10)}`;
  await Users.register(deps, { mobile, password: "bench-password" });
  return (await deps.db.selectFrom("users").select("id").where("mobile", "=", mobile).executeTakeFirstOrThrow()).id;
}

/**
 * Starts the floor on the database at `env.DATABASE_URL` (a fresh one: the floor adds its own user
 * and rows); `measure(endpoint)` loads one endpoint at 50 connections → `floor_<endpoint>_p50_ms/_p99_ms/_rps`
 * and `_cpu_ms_per_req` (the floor process's CPU), at a fixed rate if asked (nothing for an endpoint
 * the floor does not have).
 */
export async function startFloor(env: Record<string, string>) {
  const server = await startServer({ POLARIS_HOME: mkdtempSync(join(tmpdir(), "polaris-floor-")), ...env }, import.meta.filename, [
    "--serve",
  ]);
  const { targets, statements } = server.announced as unknown as {
    targets: Record<string, LoadTarget>;
    statements: Record<string, number>;
  };
  return {
    endpoints: Object.keys(targets),
    has: (endpoint: string) => endpoint in targets,
    /**
     * `suffix` goes after the endpoint in the figures' names (`floor_list_at_rate_p99_ms`); `options`
     * as for `load` (the floor's own process is the one whose CPU is measured).
     */
    async measure(endpoint: string, options: Omit<LoadOptions, "pid"> = {}, suffix = ""): Promise<Figures> {
      if (!targets[endpoint]) return {};
      progress(
        `floor: ${endpoint} at ${options.rate ? `${Math.round(options.rate)} req/s` : "50 connections"} (${statements[endpoint]} SQL statements)`,
      );
      return load(`floor_${endpoint}${suffix}`, targets[endpoint], { ...options, pid: server.pid });
    },
    stop: server.stop,
  };
}

export async function benchFloor(env: Record<string, string>): Promise<Figures> {
  const floor = await startFloor(env);
  try {
    const figures: Figures = {};
    for (const endpoint of floor.endpoints) Object.assign(figures, await floor.measure(endpoint));
    return figures;
  } finally {
    await floor.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes("--serve")) await serve();
  else console.table(await benchFloor({ DATABASE_URL: process.env.DATABASE_URL! }));
}
