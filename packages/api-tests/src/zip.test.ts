import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, createFolder, sha256, startTestApp, uploadFile, type TestApp } from "./support";

let app: TestApp;
beforeAll(async () => {
  // A small ceiling, so a test can pass it; jobs (the zip's expiry) run only when a test drives them.
  app = await startTestApp({ ZIP_MAX_BYTES: "100000", JOB_POLL_MS: String(3600_000) });
});
afterAll(() => app?.close());

const Z = "/file/v1/zip";
const S = "/share/v1/share";

/** Follows a job until it is no longer pending or running (the worker runs in the background on every profile). */
async function finished(query: Record<string, unknown>, token?: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await app.call("GET", token ? `${Z}/status` : `${S}/zip/status`, { query, token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    if (!["pending", "running"].includes(res.body.data.status) || Date.now() > deadline) return res.body.data;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The zip as an independent reader sees it: Python's zipfile (checks every CRC) lists names, UTF-8 flags and contents' SHA-256. */
async function readZip(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const dir = mkdtempSync(join(tmpdir(), "polaris-zip-"));
  try {
    const file = join(dir, "z.zip");
    writeFileSync(file, Buffer.from(await res.arrayBuffer()));
    const script = `
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps([[i.filename, bool(i.flag_bits & 0x800), hashlib.sha256(z.read(i)).hexdigest()] for i in z.infolist()]))`;
    const out = JSON.parse(execFileSync("python3", ["-c", script, file], { encoding: "utf8" })) as [string, boolean, string][];
    return { disposition: res.headers.get("content-disposition") ?? "", entries: out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const empty = sha256("");

describe("zip jobs", () => {
  it("packs my folders and files with their structure and UTF-8 names; only I can follow the job; big selections are refused", async () => {
    const me = await app.signUp();
    const folder = await createFolder(app, me.token, "报告");
    const sub = await createFolder(app, me.token, "子", folder);
    await createFolder(app, me.token, "空", folder);
    const content = { a: bytes(1000, 1), b: bytes(70_000, 2), c: bytes(10, 3) };
    await uploadFile(app, me.token, content.a, { name: "a.txt", parentId: folder });
    await uploadFile(app, me.token, content.b, { name: "b.bin", parentId: sub });
    const c = await uploadFile(app, me.token, content.c, { name: "ç.txt" });

    const created = await app.call("POST", `${Z}/create`, { token: me.token, body: { identities: [folder, c] } });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    expect(created.body.data).toMatchObject({ status: "pending", totalEntries: 6, totalBytes: 71_010, doneBytes: 0 });
    const id = created.body.data.id as string;

    const done = await finished({ id }, me.token);
    expect(done).toMatchObject({ id, status: "done", totalBytes: 71_010, doneBytes: 71_010, doneEntries: 6 });
    expect(done.name).toMatch(/^Polaris \d{4}-\d\d-\d\d \d\d-\d\d-\d\d\.zip$/);
    const zip = await readZip(done.url);
    expect(zip.entries).toEqual([
      ["ç.txt", true, sha256(content.c)],
      ["报告/", true, empty],
      ["报告/a.txt", true, sha256(content.a)],
      ["报告/子/", true, empty],
      ["报告/子/b.bin", true, sha256(content.b)],
      ["报告/空/", true, empty],
    ]);
    expect(zip.disposition).toContain(encodeURIComponent(done.name));
    expect(done.zipBytes).toBeGreaterThan(71_010);

    // One item: the zip is named after it. Another user, or nobody, cannot see the job.
    const single = await app.call("POST", `${Z}/create`, { token: me.token, body: { identities: [sub] } });
    expect(single.body.data.name).toBe("子.zip");
    const other = await app.signUp();
    expect(await app.call("GET", `${Z}/status`, { query: { id }, token: other.token })).toMatchObject({
      status: 404,
      body: { code: 300041 },
    });
    expect(await app.call("GET", `${Z}/status`, { query: { id } })).toMatchObject({ status: 401, body: { code: 100003 } });
    // Nor under a share: a job of the owner's is no share's.
    const anyShare = (
      await app.call("POST", `${S}/create`, { token: me.token, body: { fileIdentity: folder, expiredType: 0, hasCode: false } })
    ).body.data.identity;
    expect(await app.call("GET", `${S}/zip/status`, { query: { id, identity: anyShare } })).toMatchObject({
      status: 404,
      body: { code: 300041 },
    });
    expect(await app.call("POST", `${Z}/create`, { token: other.token, body: { identities: [c] } })).toMatchObject({
      status: 404,
      body: { code: 300001 },
    });

    // Past ZIP_MAX_BYTES: 413 with its own code and the limit named, and no job.
    await uploadFile(app, me.token, bytes(40_000, 4), { name: "big.bin", parentId: folder });
    const tooBig = await app.call("POST", `${Z}/create`, { token: me.token, body: { identities: [folder] } });
    expect(tooBig).toMatchObject({ status: 413, body: { code: 300040 } });
    expect(tooBig.body.msg).toContain("100000");

    // The zip expires: the job deletes its object and the status says so.
    const expiry = `zip-expire-${id}`;
    expect(await app.jobs.get(expiry)).toMatchObject({ type: "zip.expire", payload: { jobId: id } });
    await app.deps.db
      .updateTable("zip_jobs")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("identity", "=", id)
      .execute();
    await app.jobs.makeDue(expiry);
    await app.background.runDueJobs();
    expect((await app.call("GET", `${Z}/status`, { query: { id }, token: me.token })).body.data).toMatchObject({ status: "expired" });
    expect(await app.deps.storage.head(`zips/${id}.zip`)).toBeNull();
  });
});

// The limits are SQL and rules alike on every profile: the parity pass runs only the zip jobs (their queue, worker and store differ there).
const onParity = process.env.POLARIS_TEST_PROFILE === "parity";

describe.skipIf(onParity)("share limits", () => {
  it("gives out exactly downloadLimit URLs to 50 parallel downloads, then the link answers 410", async () => {
    const owner = await app.signUp();
    const file = await uploadFile(app, owner.token, bytes(100, 9), { name: "race.txt" });
    const created = await app.call("POST", `${S}/create`, {
      token: owner.token,
      body: { fileIdentity: file, expiredType: 1, hasCode: false, downloadLimit: 10 },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const identity = created.body.data.identity;
    const answers = await Promise.all(Array.from({ length: 50 }, () => app.call("GET", `${S}/download`, { query: { identity } })));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(answers.filter((a) => a.status === 410 && a.body.code === 400011)).toHaveLength(40);
    // Used up: new visitors are told so before anything else.
    expect(await app.call("GET", `${S}/info`, { query: { identity } })).toMatchObject({ status: 410, body: { code: 400011 } });
    expect(await app.call("POST", `${S}/validate`, { body: { identity } })).toMatchObject({ status: 410, body: { code: 400011 } });
    const listed = await app.call("GET", `${S}/list`, { token: owner.token });
    expect(listed.body.data.list[0]).toMatchObject({ downloadNum: 10, downloadLimit: 10, viewLimit: null, previewOnly: false });
    // Raising the limit reopens the link.
    expect((await app.call("POST", `${S}/update`, { token: owner.token, body: { identity, downloadLimit: 11 } })).status).toBe(200);
    expect((await app.call("GET", `${S}/download`, { query: { identity } })).status).toBe(200);
  });

  it("counts views, allows preview only, expires at a date, and shows the sharer before the code", async () => {
    const owner = await app.signUp();
    const folder = await createFolder(app, owner.token, "Album");
    const photo = await uploadFile(app, owner.token, bytes(500, 7), { name: "p.jpg", parentId: folder });
    const expireAt = Math.floor(Date.now() / 1000) + 3 * 86400;
    const created = await app.call("POST", `${S}/create`, {
      token: owner.token,
      body: { fileIdentity: folder, expireAt, hasCode: true, viewLimit: 2, previewOnly: true },
    });
    expect(created.body.data.expiredTime).toBe(expireAt);
    const { identity, code } = created.body.data;

    // Before the code: the sharer and the expiry, never the files.
    const info = await app.call("GET", `${S}/info`, { query: { identity } });
    expect(info).toMatchObject({ status: 200, body: { data: { expiredTime: expireAt, hasCode: true, previewOnly: true } } });
    expect(info.body.data.sharerName).toMatch(/^\d{3}\*{4}\d{4}$/);
    expect(JSON.stringify(info.body)).not.toContain("Album");

    // The owner's own view is not counted; a counted share needs its token (not only the code) beyond validate.
    expect((await app.call("POST", `${S}/validate`, { token: owner.token, body: { identity } })).status).toBe(200);
    const first = await app.call("POST", `${S}/validate`, { body: { identity, code } });
    expect(first.body.data.share).toMatchObject({ previewOnly: true, expiredTime: expireAt });
    const shareToken = first.body.data.shareToken;
    expect(await app.call("GET", `${S}/detail`, { query: { identity, code } })).toMatchObject({ status: 401 });
    const detail = await app.call("GET", `${S}/detail`, { query: { identity, shareToken } });
    expect(detail.body.data).toMatchObject({ previewOnly: true, children: [{ name: "p.jpg" }] });

    // Preview only: download, save and zip answer 403 with their code.
    const refused = { status: 403, body: { code: 400013 } };
    expect(await app.call("GET", `${S}/download`, { query: { identity, shareToken, fileIdentity: photo } })).toMatchObject(refused);
    const saver = await app.signUp();
    expect(
      await app.call("POST", `${S}/save`, { token: saver.token, body: { identity, shareToken, fileIdentities: [photo] } }),
    ).toMatchObject(refused);
    expect(await app.call("POST", `${S}/zip`, { body: { identity, shareToken } })).toMatchObject(refused);

    // The second view is the last one.
    expect((await app.call("POST", `${S}/validate`, { body: { identity, code } })).status).toBe(200);
    expect(await app.call("POST", `${S}/validate`, { body: { identity, code } })).toMatchObject({ status: 410, body: { code: 400012 } });
    expect((await app.call("GET", `${S}/detail`, { query: { identity, shareToken } })).status).toBe(200);

    // Bad limits and dates are refused with the field named; the seed's expiredType stays valid.
    const bad = (body: Record<string, unknown>) =>
      app.call("POST", `${S}/create`, { token: owner.token, body: { fileIdentity: folder, hasCode: false, ...body } });
    expect(await bad({ expiredType: 7, downloadLimit: 0 })).toMatchObject({ status: 400, body: { code: 100002 } });
    expect(await bad({ expireAt: 1000 })).toMatchObject({ status: 400, body: { code: 100002 } });
    expect(await bad({ expiredType: 7, expireAt })).toMatchObject({ status: 400, body: { code: 100002 } });
    expect((await bad({ expiredType: 30 })).status).toBe(200);
  });
});

describe("zip jobs of a share", () => {
  it("zips a share's items for its visitors, counting one download; its job is the share's, not a user's", async () => {
    const owner = await app.signUp();
    const folder = await createFolder(app, owner.token, "Docs");
    const inner = await uploadFile(app, owner.token, bytes(300, 5), { name: "x.txt", parentId: folder });
    const created = await app.call("POST", `${S}/create`, {
      token: owner.token,
      body: { fileIdentity: folder, expiredType: 0, hasCode: true, downloadLimit: 1 },
    });
    const { identity, code } = created.body.data;
    const job = await app.call("POST", `${S}/zip`, { body: { identity, code } });
    expect(job.status, JSON.stringify(job.body)).toBe(200);
    expect(job.body.data).toMatchObject({ name: "Docs.zip", totalEntries: 2, totalBytes: 300 });
    // The job took the share's only download, yet its visitors can still follow it.
    const done = await finished({ id: job.body.data.id, identity, code });
    expect(done.status).toBe("done");
    expect((await readZip(done.url)).entries.map((e) => e[0])).toEqual(["Docs/", "Docs/x.txt"]);
    expect(await app.call("GET", `${Z}/status`, { query: { id: job.body.data.id }, token: owner.token })).toMatchObject({ status: 404 });
    expect(await app.call("POST", `${S}/zip`, { body: { identity, code, fileIdentities: [inner] } })).toMatchObject({
      status: 410,
      body: { code: 400011 },
    });
  });
});
