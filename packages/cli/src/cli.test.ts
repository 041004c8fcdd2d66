import { execFile, execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nextMobile, startTestApp, type TestApp } from "@polaris/api-tests/support";
import { fileRoutes, userRoutes } from "@polaris/contract";

// Drives the `polaris` command against the embedded server: src/main.ts bundled once by esbuild (a
// run then starts in ~0.3 s instead of ~1 s of tsx compiling the sources, over ~60 runs), and the real
// binary (bin/polaris.js → src/main.ts through tsx) in the first test.
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const realBin = join(repoRoot, "packages/cli/bin/polaris.js");
let bin = realBin;
const MiB = 1024 * 1024;

let app: TestApp;
let config: string;
let work: string;

type Run = { code: number; stdout: string; stderr: string };
function polaris(args: string[], env: Record<string, string> = {}, api?: string, command = bin): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [command, ...args],
      {
        cwd: work,
        env: { ...process.env, XDG_CONFIG_HOME: config, POLARIS_API: api ?? app.url, POLARIS_PASSWORD: "", NO_COLOR: "1", ...env },
        timeout: 60_000,
        maxBuffer: 16 * MiB,
      },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === "number" ? error.code : 99) : 0, stdout, stderr }),
    );
  });
}
const ok = async (args: string[], env?: Record<string, string>) => {
  const r = await polaris(args, env);
  if (r.code !== 0) throw new Error(`polaris ${args.join(" ")} → ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
};
const ls = async (path = "/") =>
  JSON.parse((await ok(["--json", "ls", path])).stdout) as { name: string; isDir: boolean; size: number; identity: string }[];

const mobile = nextMobile();
const password = "cli-secret-1";

beforeAll(async () => {
  app = await startTestApp({
    MULTIPART_THRESHOLD_BYTES: String(6 * MiB),
    MULTIPART_PART_SIZE_BYTES: String(5 * MiB),
    DEFAULT_QUOTA_BYTES: String(200 * MiB),
  });
  config = mkdtempSync(join(tmpdir(), "polaris-cli-config-"));
  work = mkdtempSync(join(tmpdir(), "polaris-cli-work-"));
  await app.signUp(mobile, password);
  bin = join(mkdtempSync(join(tmpdir(), "polaris-cli-bundle-")), "polaris.mjs");
  await build({
    stdin: {
      contents: `import { main } from ${JSON.stringify(join(repoRoot, "packages/cli/src/main.ts"))}; process.exitCode = await main();`,
      resolveDir: repoRoot,
    },
    outfile: bin,
    bundle: true,
    platform: "node",
    format: "esm",
    target: `node${process.versions.node}`,
    logLevel: "warning",
    // Packages written as CommonJS call require.
    banner: { js: 'import { createRequire as __polarisRequire } from "node:module"; const require = __polarisRequire(import.meta.url);' },
  });
});
afterAll(async () => {
  await app?.close();
  for (const dir of [config, work, bin === realBin ? "" : dirname(bin)]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("polaris CLI: usage, login and exit codes", () => {
  it("prints help (0) and rejects unknown commands and bad options with exit code 2", async () => {
    const help = await polaris(["--help"], {}, undefined, realBin);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("upload");
    // Where it connects, and how to change it.
    expect(help.stdout).toMatch(/--api <url>[\s\S]*default:\s+"http:\/\/127\.0\.0\.1:8888",\s+env:\s+POLARIS_API/);
    expect(help.stdout).toContain("else the POLARIS_API variable, else http://127.0.0.1:8888");
    expect((await polaris(["frobnicate"])).code).toBe(2);
    expect((await polaris(["share", "create", "/x", "--expire", "5"])).code).toBe(2);
    const missing = await polaris(["upload", join(work, "does-not-exist.txt")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such local file/);
  });

  it("exits 3 when not logged in and 4 when the API cannot be reached", async () => {
    const r = await polaris(["ls"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/not logged in/);
    const down = await polaris(["login", "-m", mobile, "-p", password], {}, "http://127.0.0.1:9");
    expect(down.code).toBe(4);
    expect(down.stderr).toMatch(/network error/);
  });

  it("exits 1 with the business code on a wrong password", async () => {
    const r = await polaris(["login", "-m", mobile, "-p", "wrong-password"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error 200003/);
  });

  it("logs in, stores the token with 0600 permissions and reads the profile", async () => {
    const r = await ok(["login", "-m", mobile, "--password", password]);
    expect(r.stdout).toContain("logged in");
    const file = join(config, "polaris", "credentials.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(file, "utf8"));
    expect(stored.servers[app.url].token).toBeTruthy();
    const who = JSON.parse((await ok(["--json", "whoami"])).stdout);
    expect(who.mobile).toBe(mobile);
    expect(who.quota.totalSize).toBe(200 * MiB);
  });

  it("accepts the password from POLARIS_PASSWORD", async () => {
    await ok(["login", "-m", mobile], { POLARIS_PASSWORD: password });
  });
});

/**
 * Runs `polaris` in a pseudo terminal (Python's pty module): waits for each expected text, then
 * types its keys. Returns everything the terminal showed, the exit code, and whether the terminal
 * was back in echoing, line-by-line mode after the process ended.
 */
const ptyDriver = `
import fcntl, json, os, pty, select, struct, sys, termios, time
steps, cmd = json.loads(sys.argv[1]), sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    # A terminal 60 columns wide: progress lines must fit it.
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 60, 0, 0))
    os.execvp(cmd[0], cmd)
out = b""
def read(until=None, timeout=30.0):
    global out
    deadline = time.time() + timeout
    while until is None or until.encode() not in out:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.time()))
        if not ready:
            if until is None: return
            sys.exit("timed out waiting for %r, the terminal showed %r" % (until, out))
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return
        if not chunk: return
        out += chunk
for expect, keys in steps:
    read(expect)
    time.sleep(0.2)
    os.write(fd, keys.encode())
read()
_, status = os.waitpid(pid, 0)
lflag = termios.tcgetattr(fd)[3]
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "screen": out.decode("utf-8", "replace"),
                  "echo": bool(lflag & termios.ECHO), "canonical": bool(lflag & termios.ICANON)}))
`;
type Terminal = { code: number; screen: string; echo: boolean; canonical: boolean };
function inTerminal(args: string[], steps: [expect: string, keys: string][]): Promise<Terminal> {
  return new Promise((done, fail) => {
    execFile(
      "python3",
      ["-c", ptyDriver, JSON.stringify(steps), process.execPath, bin, ...args],
      {
        cwd: work,
        env: { ...process.env, XDG_CONFIG_HOME: config, POLARIS_API: app.url, POLARIS_PASSWORD: "", NO_COLOR: "1", TERM: "xterm" },
        timeout: 60_000,
      },
      (error, stdout, stderr) => (error ? fail(new Error(`${error.message}\n${stderr}`)) : done(JSON.parse(stdout) as Terminal)),
    );
  });
}

describe("polaris CLI: the password prompt in a terminal", () => {
  it("does not show the typed password, and logs in with it", async () => {
    await ok(["logout"]);
    const r = await inTerminal(["login", "-m", mobile], [["password", `${password}\r`]]);
    expect(r.code, r.screen).toBe(0);
    expect(r.screen).toContain(`logged in as ${mobile}`);
    expect(r.screen).not.toContain(password);
    // Not a single typed character was echoed: the prompt line shows none of them.
    expect(r.screen).not.toMatch(/cli-|secret/);
    expect(r).toMatchObject({ echo: true, canonical: true });
    expect((await ok(["--json", "whoami"])).stdout).toContain(mobile);
  });

  it("stops on Ctrl-C with exit code 130 and gives the terminal its echo back", async () => {
    const r = await inTerminal(
      ["login", "-m", mobile],
      [
        ["password", "half-typed"],
        ["password", "\u0003"],
      ],
    );
    expect(r.code, r.screen).toBe(130);
    expect(r.screen).toMatch(/interrupted at the password prompt/);
    expect(r.screen).not.toContain("half-typed");
    expect(r).toMatchObject({ echo: true, canonical: true });
  });
});

describe("polaris CLI: files", () => {
  it("creates folders (-p) and reports a name clash as business error 300013", async () => {
    await ok(["mkdir", "-p", "/docs/2025"]);
    expect((await ls("/")).map((f) => f.name)).toEqual(["docs"]);
    expect((await ls("/docs")).map((f) => f.name)).toEqual(["2025"]);
    const clash = await polaris(["mkdir", "/docs"]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/error 300013/);
    await ok(["mkdir", "-p", "/docs"]); // -p: no error when it exists
  });

  it("uploads a file and a folder tree, then downloads them byte for byte", async () => {
    const content = randomBytes(300 * 1024);
    writeFileSync(join(work, "report.bin"), content);
    mkdirSync(join(work, "album/inner"), { recursive: true });
    writeFileSync(join(work, "album/a.txt"), "alpha\n");
    writeFileSync(join(work, "album/inner/b.txt"), "beta\n");
    const up = await ok(["upload", "report.bin", "album", "--to", "/docs"]);
    expect(up.stdout).toMatch(/uploaded .* report\.bin/);
    expect((await ls("/docs")).map((f) => f.name).sort()).toEqual(["2025", "album", "report.bin"]);
    expect((await ls("/docs/album/inner")).map((f) => f.name)).toEqual(["b.txt"]);

    mkdirSync(join(work, "out"));
    await ok(["download", "/docs/report.bin", "out"]);
    expect(readFileSync(join(work, "out/report.bin")).equals(content)).toBe(true);
    await ok(["download", "/docs/album", "out"]);
    expect(readFileSync(join(work, "out/album/inner/b.txt"), "utf8")).toBe("beta\n");
    // As one zip the server packs: the folder structure inside it.
    const zipped = JSON.parse((await ok(["--json", "download", "--zip", "/docs/album", "out"])).stdout);
    expect(zipped).toMatchObject({ written: join("out", "album.zip"), entries: 4 });
    const names = execFileSync("python3", [
      "-c",
      "import sys, zipfile; print(sorted(zipfile.ZipFile(sys.argv[1]).namelist()))",
      join(work, "out/album.zip"),
    ]);
    expect(names.toString().trim()).toBe("['album/', 'album/a.txt', 'album/inner/', 'album/inner/b.txt']");
  });

  it("uploads known content instantly, proving possession", async () => {
    writeFileSync(join(work, "copy-of-report.bin"), readFileSync(join(work, "report.bin")));
    const r = await ok(["--json", "upload", "copy-of-report.bin"]);
    const [result] = JSON.parse(r.stdout);
    expect(result.instant).toBe(true);
    expect((await ls("/")).map((f) => f.name)).toContain("copy-of-report.bin");
  });

  it("resumes an interrupted multipart upload with the parts that are missing", async () => {
    const big = randomBytes(11 * MiB); // 3 parts of 5 MiB
    writeFileSync(join(work, "big.bin"), big);
    const first = await polaris(["upload", "big.bin"], { POLARIS_CLI_INTERRUPT_AFTER_PARTS: "1" });
    expect(first.code).toBe(4);
    expect(first.stderr).toMatch(/interrupted/);
    const saved = JSON.parse(readFileSync(join(config, "polaris", "uploads.json"), "utf8"));
    const [session] = Object.values(saved) as { uploadKey: string }[];
    const { token } = JSON.parse(readFileSync(join(config, "polaris", "credentials.json"), "utf8")).servers[app.url];
    const before = await app.call("POST", fileRoutes.uploadParts.path, { token, body: { uploadKey: session.uploadKey } });
    expect(before.body.data.uploaded).toHaveLength(1);

    const second = await ok(["--json", "upload", "big.bin"]);
    expect(JSON.parse(second.stdout)[0]).toMatchObject({ resumed: true, size: 11 * MiB });
    expect(JSON.parse(readFileSync(join(config, "polaris", "uploads.json"), "utf8"))).toEqual({});
    await ok(["download", "/big.bin", "out/big.bin"]);
    const digest = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    expect(digest(readFileSync(join(work, "out/big.bin")))).toBe(digest(big));
  });

  it("renames, moves, copies and deletes", async () => {
    await ok(["mv", "/copy-of-report.bin", "/docs/2025/report-copy.bin"]); // move + rename
    expect((await ls("/docs/2025")).map((f) => f.name)).toEqual(["report-copy.bin"]);
    await ok(["cp", "/docs/album", "/"]);
    expect((await ls("/album")).map((f) => f.name).sort()).toEqual(["a.txt", "inner"]);
    await ok(["rename", "/album/a.txt", "alpha.txt"]);
    expect((await ls("/album")).map((f) => f.name)).toContain("alpha.txt");
    const intoSelf = await polaris(["mv", "/docs", "/docs/2025"]);
    expect(intoSelf.code).toBe(1);
    expect(intoSelf.stderr).toMatch(/error 300015/);
    const missing = await polaris(["rm", "/nope"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error 300001/);
    await ok(["rm", "/album", "/big.bin"]);
    expect((await ls("/")).map((f) => f.name).sort()).toEqual(["docs"]);
  });

  it("lists, restores and empties the recycle bin", async () => {
    const trash = JSON.parse((await ok(["--json", "trash", "list"])).stdout) as { name: string }[];
    expect(trash.map((t) => t.name).sort()).toEqual(["album", "big.bin"]);
    await ok(["trash", "restore", "album"]);
    expect((await ls("/")).map((f) => f.name).sort()).toEqual(["album", "docs"]);
    const cleared = await ok(["trash", "clear"]);
    expect(cleared.stdout).toMatch(/deleted 1 item/);
    expect(JSON.parse((await ok(["--json", "trash"])).stdout)).toEqual([]);
  });

  it("uploads a new version (--on-conflict version), lists, downloads, restores and deletes versions", async () => {
    writeFileSync(join(work, "notes.txt"), "first draft\n");
    await ok(["upload", "notes.txt", "--to", "/docs"]);
    writeFileSync(join(work, "notes.txt"), "second draft, longer\n");
    await ok(["upload", "notes.txt", "--to", "/docs", "--on-conflict", "version"]);
    type Version = { identity: string; size: number; current: boolean };
    const versions = async () => JSON.parse((await ok(["--json", "versions", "/docs/notes.txt"])).stdout) as Version[];
    const [current, previous] = await versions();
    expect([current.current, current.size, previous.current, previous.size]).toEqual([true, 21, false, 12]);
    expect((await ok(["versions", "/docs/notes.txt"])).stdout).toMatch(new RegExp(`^${current.identity} .*\\(current\\)$`, "m"));

    await ok(["versions", "/docs/notes.txt", "--get", previous.identity, "-o", "out/notes-v1.txt"]);
    expect(readFileSync(join(work, "out/notes-v1.txt"), "utf8")).toBe("first draft\n");
    await ok(["versions", "/docs/notes.txt", "--restore", previous.identity]);
    expect((await versions()).map((v) => [v.size, v.current])).toEqual([
      [12, true],
      [21, false],
      [12, false],
    ]);
    await ok(["versions", "/docs/notes.txt", "--delete", current.identity]);
    expect((await versions()).map((v) => v.size)).toEqual([12, 12]);
  });
});

describe("polaris CLI: progress in a terminal, and downloads that keep local files", () => {
  it("shows one line for a folder upload: overall bar, files, bytes, rate and ETA formatted, the current file; never wider than the terminal", async () => {
    await ok(["login", "-m", mobile, "-p", password]); // (so that this describe also runs alone: -t progress)
    mkdirSync(join(work, "tree/sub"), { recursive: true });
    writeFileSync(join(work, "tree/first.bin"), randomBytes(MiB));
    writeFileSync(join(work, "tree/sub/second-file-with-a-rather-long-name-to-cut.bin"), randomBytes(MiB));
    writeFileSync(join(work, "tree/tiny.txt"), "tiny\n");
    const r = await inTerminal(["upload", "tree", "--limit-rate", "1M"], []);
    expect(r.code, r.screen).toBe(0);
    // What the terminal shows after each redraw (\r) or line end, without the erase-line sequence.
    const shown = r.screen
      .replaceAll("\u001b[2K", "")
      .split(/\r\n|\r|\n/)
      .map((l) => l.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, ""))
      .filter(Boolean);
    for (const line of shown) expect([...line].length, line).toBeLessThanOrEqual(60);
    const progress = shown.filter((l) => l.includes("%"));
    expect(progress.some((l) => /\d\/3 files/.test(l))).toBe(true);
    expect(
      progress.some((l) => /\d+(\.\d)?[BKM]\/s {2}ETA (\d+s|\d+m\d\ds)/.test(l)),
      progress.join("\n"),
    ).toBe(true);
    expect(progress.some((l) => /uploading (tree\/sub\/second-file-with-a|tree\/first\.bin)/.test(l) || /uploading tree/.test(l))).toBe(
      true,
    );
    expect(progress.at(-1)).toMatch(/100% {2}3\/3 files {2}2\.0M\/2\.0M/);
    expect(r.screen).not.toMatch(/NaN|NF|Infinity|undefined|\d\.\d{2,}/);
    expect(r.screen).toContain("3 file(s) uploaded (0 instant)");
  }, 60_000);

  it("keeps a local file unless --force, and refuses before writing anything", async () => {
    mkdirSync(join(work, "keep"), { recursive: true });
    writeFileSync(join(work, "keep/tiny.txt"), "mine\n");
    const first = await polaris(["download", "/tree", "keep"]);
    expect(first.code, first.stderr).toBe(0); // into keep/tree, new
    const again = await polaris(["download", "/tree", "keep"]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/keep\/tree\/.*, .*, .* exist; nothing was downloaded \(--force overwrites\)/);
    const one = await polaris(["download", "/tree/tiny.txt", "keep"]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/keep\/tiny\.txt exists/);
    expect(readFileSync(join(work, "keep/tiny.txt"), "utf8")).toBe("mine\n");
    await ok(["download", "--force", "/tree/tiny.txt", "keep"]);
    expect(readFileSync(join(work, "keep/tiny.txt"), "utf8")).toBe("tiny\n");
  });
});

describe("polaris CLI: shares and search", () => {
  it("creates, lists, updates and cancels a share", async () => {
    const created = JSON.parse((await ok(["--json", "share", "/docs/report.bin", "--expire", "7"])).stdout);
    expect(created.code).toMatch(/^[A-Za-z0-9]{4}$/);
    const list = JSON.parse((await ok(["--json", "share", "list"])).stdout) as { identity: string; status: number }[];
    expect(list.find((s) => s.identity === created.identity)?.status).toBe(0);
    await ok(["share", "update", created.identity, "--expire", "30"]);
    const cancelled = await ok(["share", "cancel", created.identity]);
    expect(cancelled.stdout).toMatch(/cancelled 1/);
  });

  it("finds files by name with filters", async () => {
    const r = JSON.parse((await ok(["--json", "search", "report", "--files"])).stdout) as { total: number; list: { name: string }[] };
    expect(r.list.map((h) => h.name).sort()).toEqual(["report-copy.bin", "report.bin"]);
    const small = JSON.parse((await ok(["--json", "search", "report", "--max-size", "1K"])).stdout) as { total: number };
    expect(small.total).toBe(0);
    expect((await polaris(["search", "x", "--min-size", "lots"])).code).toBe(2);
  });
});

describe("polaris CLI: an upload stopped mid-way continues when run again", () => {
  const configFile = (name: string) => join(config, "polaris", name);
  const token = () => JSON.parse(readFileSync(configFile("credentials.json"), "utf8")).servers[app.url].token as string;
  const sessionFor = (path: string) =>
    (Object.values(JSON.parse(readFileSync(configFile("uploads.json"), "utf8"))) as { uploadKey: string; path: string }[]).find(
      (s) => s.path === path,
    );
  const partsOf = async (uploadKey: string) =>
    (await app.call("POST", fileRoutes.uploadParts.path, { token: token(), body: { uploadKey } })).body.data as {
      uploaded: { partNumber: number }[];
      parts: unknown[];
    };
  const partsOfStatus = (uploadKey: string) => app.call("POST", fileRoutes.uploadParts.path, { token: token(), body: { uploadKey } });
  const digest = (b: Buffer) => createHash("sha256").update(b).digest("hex");

  /** Starts an upload at 1 MiB/s and stops the process with `signal` once storage holds a whole part. */
  async function uploadThenStop(name: string, signal: NodeJS.Signals) {
    const content = randomBytes(11 * MiB); // parts of 5, 5 and 1 MiB: the 1 MiB one lands first
    const path = join(work, name);
    writeFileSync(path, content);
    const child = spawn(process.execPath, [bin, "upload", name, "--limit-rate", "1M"], {
      cwd: work,
      env: { ...process.env, XDG_CONFIG_HOME: config, POLARIS_API: app.url, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
      child.on("exit", (code, sig) => done({ code, signal: sig })),
    );
    let uploadKey = "";
    await expect
      .poll(
        async () => {
          if (child.exitCode !== null) throw new Error(`polaris exited (${child.exitCode}) before storage held a part:\n${stderr}`);
          uploadKey = sessionFor(path)?.uploadKey ?? "";
          return uploadKey ? (await partsOf(uploadKey)).uploaded.length : 0;
        },
        { timeout: 60_000, interval: 100 },
      )
      .toBeGreaterThan(0);
    child.kill(signal);
    const end = await exited;
    const stored = await partsOf(uploadKey);
    expect(stored.uploaded.length, "stopped before the whole file was stored").toBeLessThan(3);
    return { content, end, stderr, uploadKey, storedBefore: stored.uploaded.length };
  }

  async function expectDownloaded(name: string, content: Buffer) {
    await ok(["download", `/${name}`, join("out", name)]);
    expect(digest(readFileSync(join(work, "out", name)))).toBe(digest(content));
  }

  it("after SIGKILL: the rerun sends only the parts storage does not hold whole", async () => {
    const before = await app.call("GET", userRoutes.quota.path, { token: token() });
    const { content, end, uploadKey, storedBefore } = await uploadThenStop("killed.bin", "SIGKILL");
    expect(end.signal).toBe("SIGKILL");
    expect(sessionFor(join(work, "killed.bin"))?.uploadKey).toBe(uploadKey);

    const rerun = JSON.parse((await ok(["--json", "upload", "killed.bin"])).stdout)[0];
    expect(rerun).toMatchObject({ resumed: true, size: 11 * MiB, instant: false });
    // Parts stored at the kill are not sent again (a part the kill cut short is, and counts as sent).
    expect(rerun.reusedParts).toBeGreaterThanOrEqual(storedBefore);
    expect(rerun.reusedParts + rerun.sentParts).toBe(3);
    expect(rerun.sentParts).toBeGreaterThan(0);
    expect(sessionFor(join(work, "killed.bin"))).toBeUndefined();
    await expectDownloaded("killed.bin", content);
    // One reservation, turned into usage: nothing left reserved.
    const after = (await app.call("GET", userRoutes.quota.path, { token: token() })).body.data;
    expect(after).toMatchObject({ usedSize: before.body.data.usedSize + 11 * MiB, reservedSize: 0 });
  }, 120_000);

  it("a file changed since the interrupted run starts afresh, and the old session's reservation is released", async () => {
    const path = join(work, "edited.bin");
    writeFileSync(path, randomBytes(11 * MiB));
    expect((await polaris(["upload", "edited.bin"], { POLARIS_CLI_INTERRUPT_AFTER_PARTS: "1" })).code).toBe(4);
    const old = sessionFor(path)!.uploadKey;
    const before = (await app.call("GET", userRoutes.quota.path, { token: token() })).body.data;
    expect(before.reservedSize).toBe(11 * MiB);

    const edited = randomBytes(12 * MiB);
    writeFileSync(path, edited);
    const rerun = JSON.parse((await ok(["--json", "upload", "edited.bin"])).stdout)[0];
    expect(rerun).toMatchObject({ resumed: false, instant: false, size: 12 * MiB });
    expect(sessionFor(path)).toBeUndefined();
    expect((await partsOfStatus(old)).status).toBe(404);
    const after = (await app.call("GET", userRoutes.quota.path, { token: token() })).body.data;
    expect(after).toMatchObject({ reservedSize: 0, usedSize: before.usedSize + 12 * MiB });
    await expectDownloaded("edited.bin", edited);
  }, 120_000);

  it("after Ctrl-C (SIGINT): exits 130 saying how to continue, and the rerun resumes", async () => {
    const { content, end, stderr, storedBefore } = await uploadThenStop("interrupted.bin", "SIGINT");
    expect(end.code).toBe(130);
    expect(stderr).toMatch(/interrupted: run the same command again/);

    const rerun = await ok(["upload", "interrupted.bin"]);
    const m = /resumed +\S+ +interrupted\.bin +\((\d) of 3 parts were already stored\)/.exec(rerun.stdout);
    expect(m, rerun.stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(storedBefore);
    expect(Number(m![1])).toBeLessThan(3);
    await expectDownloaded("interrupted.bin", content);
  }, 120_000);
});

describe("polaris CLI: account and administration", () => {
  it("changes the password at the prompt, administers users, and signs out everywhere", async () => {
    // The CLI's user is the first account of this fresh install: the administrator.
    await ok(["login", "-m", mobile, "-p", password]);
    const other = await app.signUp();
    const passwd = await inTerminal(
      ["passwd"],
      [
        ["current password", `${password}\r`],
        ["new password", "cli-secret-2\r"],
        ["again", "cli-secret-2\r"],
      ],
    );
    expect(passwd.code, passwd.screen).toBe(0);
    expect(passwd.screen).toContain("password changed");
    expect(passwd.screen).not.toContain("cli-secret-2");
    const found = JSON.parse((await ok(["--json", "admin", "users", other.mobile])).stdout);
    expect(found.list.map((u: { mobile: string }) => u.mobile)).toEqual([other.mobile]);
    const token = JSON.parse(readFileSync(join(config, "polaris", "credentials.json"), "utf8")).servers[app.url].token;
    expect((await ok(["logout", "--all"])).stdout).toContain("logged out everywhere");
    expect((await app.call("GET", userRoutes.info.path, { token })).status).toBe(401);
    expect((await app.call("POST", userRoutes.login.path, { body: { mobile, password: "cli-secret-2" } })).status).toBe(200);
  });
});
