import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbedded } from "../embedded";
import { pidAlive } from "../process";
import { bytes, createFolder, listNames, startTestApp, uploadFile } from "@polaris/api-tests/support";
import { repoRoot } from "../gateway";

const homes: string[] = [];
const freshHome = () => {
  const home = mkdtempSync(join(tmpdir(), "polaris-localdb-"));
  homes.push(home);
  return home;
};
afterAll(() => homes.forEach((home) => rmSync(home, { recursive: true, force: true })));

const postmasterOf = (home: string) => Number(readFileSync(join(home, "postgres", "data", "postmaster.pid"), "utf8").split("\n")[0]);
const uidOf = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]);

/** The embedded profile in a child process, as `npm start` runs it, until killed. */
async function serveInChild(home: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "fixtures", "serve.ts")], {
    cwd: repoRoot,
    env: { ...process.env, POLARIS_HOME: home },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk) => {
      out += chunk;
      const ready = /ready (\S+)/.exec(out);
      if (ready) resolve(ready[1]);
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}) before it was ready: ${out}`)));
  });
  return { child, url };
}

describe("the embedded profile's own PostgreSQL server", () => {
  it("creates its cluster in the state folder, speaks on a socket only, and keeps the drive across a restart", async () => {
    const home = freshHome();
    let app = await startTestApp({ POLARIS_HOME: home }, undefined, "embedded-server");
    const { token, mobile, password } = await app.signUp();
    const folder = await createFolder(app, token, "相册 2026");
    await uploadFile(app, token, bytes(2048, 7), { name: "a.bin", parentId: folder });
    const {
      rows: [settings],
    } = await sql<{
      listen: string;
      version: string;
    }>`select current_setting('listen_addresses') as listen, current_setting('server_version_num') as version`.execute(app.deps.db);
    expect(settings.listen).toBe(""); // no TCP port: only the Unix socket in the cluster's 0700 folder
    expect(Number(settings.version)).toBeGreaterThanOrEqual(180000);
    expect(statSync(join(home, "postgres")).mode & 0o777).toBe(0o700);
    const postmaster = postmasterOf(home);
    // PostgreSQL refuses root; as root it runs as an unprivileged user, never as root.
    if (process.getuid?.() === 0) expect(uidOf(postmaster)).not.toBe(0);
    await app.close();
    expect(pidAlive(postmaster)).toBe(false);

    app = await startTestApp({ POLARIS_HOME: home }, undefined, "embedded-server");
    const login = await app.call("POST", "/usercenter/v1/user/login", { body: { mobile, password } });
    expect(login.status).toBe(200);
    expect(await listNames(app, login.body.data.accessToken, folder)).toEqual(["a.bin"]);
    await app.close();
  });

  it("reclaims the server of an app that was killed, and refuses to share a running one", async () => {
    const home = freshHome();
    const first = await serveInChild(home);
    const register = await fetch(`${first.url}/usercenter/v1/user/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ mobile: "13800009999", password: "correct-horse" }),
    });
    expect(register.status).toBe(200);
    const orphan = postmasterOf(home);

    // A second app on the same state folder while the first runs: refused, the first untouched.
    await expect(startEmbedded({ POLARIS_HOME: home, LOG_LEVEL: "SILENT" }, 0)).rejects.toThrow(/another Polaris \(process \d+\)/);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);

    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));
    expect(pidAlive(orphan)).toBe(true); // the server outlives the killed app…

    const app = await startTestApp({ POLARIS_HOME: home }, undefined, "embedded-server");
    try {
      expect(pidAlive(orphan)).toBe(false); // …until the next start stops it and runs its own
      const login = await app.call("POST", "/usercenter/v1/user/login", { body: { mobile: "13800009999", password: "correct-horse" } });
      expect(login.status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it("stops its server again when the app cannot start (its port is taken)", async () => {
    const home = freshHome();
    const taken = createServer();
    await new Promise<void>((listening) => taken.listen(0, "127.0.0.1", listening));
    try {
      const port = (taken.address() as AddressInfo).port;
      await expect(startEmbedded({ POLARIS_HOME: home, LOG_LEVEL: "SILENT" }, port)).rejects.toThrow(/EADDRINUSE/);
      expect(existsSync(join(home, "postgres", "data", "PG_VERSION"))).toBe(true); // it had started…
      expect(existsSync(join(home, "postgres", "data", "postmaster.pid"))).toBe(false); // …and is stopped
    } finally {
      taken.close();
    }
  });

  // A repository under /root, say: the unprivileged server cannot pass a folder above the state folder.
  it.skipIf(process.getuid?.() !== 0)(
    "as root, puts the cluster where the server's user can reach it when the state folder is out of its reach",
    async () => {
      const closed = freshHome(); // 0700, root's
      const home = join(closed, "inner", "home");
      const fallback = "/var/lib/polaris";
      const fallbackWasThere = existsSync(fallback);
      const app = await startTestApp({ POLARIS_HOME: home }, undefined, "embedded-server");
      if (!fallbackWasThere) homes.push(fallback); // made by this test: removed with its cluster
      try {
        const elsewhere = readFileSync(join(home, "postgres.location"), "utf8").trim();
        homes.push(elsewhere);
        expect(elsewhere).toMatch(/^\/var\/lib\/polaris\/clusters\/[0-9a-f]{16}$/);
        expect(existsSync(join(elsewhere, "data", "PG_VERSION"))).toBe(true);
        expect((await app.signUp()).token).toBeTruthy();
      } finally {
        await app.close();
      }
    },
  );

  it("imports a drive an earlier version kept in PGlite, once, and keeps the PGlite folder", async () => {
    const home = freshHome();
    const old = await startTestApp({ POLARIS_HOME: home, PGLITE_DIR: join(home, "pglite") }, undefined, "embedded");
    const { token, mobile, password } = await old.signUp();
    const folder = await createFolder(old, token, "报告");
    const content = bytes(4096, 3);
    await uploadFile(old, token, content, { name: "q1.pdf", parentId: folder });
    await createFolder(old, token, "notes");
    await old.close();

    const app = await startTestApp({ POLARIS_HOME: home }, undefined, "embedded-server");
    try {
      expect(existsSync(join(home, "pglite"))).toBe(false);
      expect(existsSync(join(home, "pglite.imported", "PG_VERSION"))).toBe(true);
      const login = await app.call("POST", "/usercenter/v1/user/login", { body: { mobile, password } });
      expect(login.status).toBe(200);
      const mine = login.body.data.accessToken;
      expect(await listNames(app, mine)).toEqual(["notes", "报告"]);
      expect(await listNames(app, mine, folder)).toEqual(["q1.pdf"]);
      const quota = await app.call("GET", "/usercenter/v1/user/quota", { token: mine });
      expect(quota.body.data.usedSize).toBe(content.length);
      // Ids continue after the imported ones: a new user and new files do not collide with them.
      const other = await app.signUp();
      await createFolder(app, other.token, "报告");
      await createFolder(app, mine, "more");
      expect(await listNames(app, mine)).toEqual(["more", "notes", "报告"]);
    } finally {
      await app.close();
    }
  });
});
