import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { ErrorCodes, routeTable, type RouteDef } from "@polaris/contract";
import { bytes, createFolder, possessionProof, sha256, startTestApp, uploadFile, type TestApp } from "./support";

/**
 * The authorization matrix: for every route field that names an item (file, folder, upload, share,
 * trash item), user B sends each of user A's identities, and the answer must be exactly the answer
 * for an identity nobody has (status and body); afterwards A's rows are unchanged, row by row.
 * The fields come from the route table, so a new route or field fails this test until it has a case.
 */

/** Field names that carry an identity. */
const IDENTITY_FIELD = /(^id$|^identity$|^identities$|Id$|Ids$|Identity$|Identities$|Key$)/;

/** Identity fields that are not someone's private item, and why. */
const EXEMPT: Record<string, string> = {
  "share.validate identity": "a share link is public by design: anyone holding it may open the share",
  "share.detail identity": "a share link is public by design",
  "share.download identity": "a share link is public by design",
  "share.save identity": "a share link is public by design (the items saved are checked below)",
  "compat.shareDetail identity": "a share link is public by design",
  "compat.shareDownload identity": "a share link is public by design",
  "compat.shareSave identity": "a share link is public by design (the items saved are checked below)",
  "compat.uploadComplete parentId": "accepted from Polaris-IO's clients and not used: the file goes where presign said",
  "share.info identity": "a share link is public by design",
  "share.zip identity": "a share link is public by design (the items zipped are checked below)",
  "share.zipStatus identity": "a share link is public by design (the job is checked below)",
  "preview.share shareIdentity": "a share link is public by design (the file previewed is checked below)",
  "admin.shareBan identity": "an administrator acts on every user's shares; to anyone else the route itself does not exist (below)",
};

function fieldsOf(schema: z.ZodMiniType | undefined): string[] {
  return schema instanceof z.ZodMiniObject ? Object.keys(schema.shape) : [];
}

/** `route field` for every identity field of every route. */
const identityFields = Object.entries(routeTable as Record<string, RouteDef>).flatMap(([key, route]) =>
  [...fieldsOf(route.body), ...fieldsOf(route.query)].filter((f) => IDENTITY_FIELD.test(f)).map((f) => `${key} ${f}`),
);

interface Fixture {
  token: string;
  userId: number;
  folder: string;
  subfolder: string;
  file: string;
  trashed: string;
  share: string;
  uploadKey: string;
  /** A previous version of `file`. */
  version: string;
  /** A zip job of `folder`. */
  zipJob: string;
}

interface Request {
  query?: Record<string, unknown>;
  body?: Record<string, unknown>;
  /** Public routes go without a token. */
  anonymous?: boolean;
  /** Instant upload: ask for a challenge and prove possession of these bytes, then send. */
  prove?: Buffer;
}

let app: TestApp;
let a: Fixture;
let b: Fixture & { content: Buffer; inShare: string };

/**
 * Per route and field: requests from B in which only that field varies; every other field is valid
 * for B. Array fields are tried alone and beside one of B's own items (all or nothing).
 */
const cases: Record<string, Record<string, ((x: string) => Request)[]>> = {
  "file.uploadInstant": {
    parentId: [(x) => ({ body: { hash: sha256(b.content), size: b.content.length, name: "i.bin", parentId: x }, prove: b.content })],
  },
  "file.uploadPresign": {
    parentId: [
      (x) => ({ body: { hash: sha256("p"), size: 1, name: "p.bin", parentId: x } }),
      (x) => ({ body: { hash: sha256("p"), size: 1, name: "p.bin", ext: "bin", parentId: num(x) } }),
    ],
  },
  "file.uploadParts": { uploadKey: [(x) => ({ body: { uploadKey: x } })] },
  "file.uploadCallback": { uploadKey: [(x) => ({ body: { uploadKey: x } })] },
  "file.uploadAbort": { uploadKey: [(x) => ({ body: { uploadKey: x } })] },
  "file.list": { parentId: [(x) => ({ query: { parentId: x } })] },
  "file.detail": { identity: [(x) => ({ query: { identity: x } })] },
  "file.download": { identity: [(x) => ({ query: { identity: x } })] },
  "file.versions": { identity: [(x) => ({ query: { identity: x } })] },
  "file.versionDownload": { identity: [(x) => ({ query: { identity: x } })] },
  "file.versionRestore": { identity: [(x) => ({ body: { identity: x } })] },
  "file.versionDelete": { identity: [(x) => ({ body: { identity: x } })] },
  "file.createFolder": { parentId: [(x) => ({ body: { name: "n", parentId: x } }), (x) => ({ body: { name: "n", parentId: num(x) } })] },
  "file.rename": { identity: [(x) => ({ body: { identity: x, name: "renamed" } })] },
  "file.move": {
    identities: [
      (x) => ({ body: { identities: [x], targetId: b.folder } }),
      (x) => ({ body: { identities: [b.file, x], targetId: b.subfolder } }),
    ],
    targetId: [(x) => ({ body: { identities: [b.file], targetId: x } })],
  },
  "file.copy": {
    identities: [
      (x) => ({ body: { identities: [x], targetId: b.folder } }),
      (x) => ({ body: { identities: [b.file, x], targetId: b.subfolder } }),
    ],
    targetId: [(x) => ({ body: { identities: [b.file], targetId: x } })],
  },
  "file.delete": { identities: [(x) => ({ body: { identities: [x] } }), (x) => ({ body: { identities: [b.file, x] } })] },
  "file.trashRestore": { identities: [(x) => ({ body: { identities: [x] } }), (x) => ({ body: { identities: [b.trashed, x] } })] },
  "file.trashDelete": { identities: [(x) => ({ body: { identities: [x] } }), (x) => ({ body: { identities: [b.trashed, x] } })] },
  "share.create": { fileIdentity: [(x) => ({ body: { fileIdentity: x, expiredType: 7, hasCode: true } })] },
  "share.update": { identity: [(x) => ({ body: { identity: x, expiredType: 30 } })] },
  "share.cancel": { identities: [(x) => ({ body: { identities: [x] } }), (x) => ({ body: { identities: [b.share, x] } })] },
  // B's own share (no code) is the context: everything of A's is outside it.
  "share.detail": { parentId: [(x) => ({ query: { identity: b.share, parentId: x }, anonymous: true })] },
  "share.download": { fileIdentity: [(x) => ({ query: { identity: b.share, fileIdentity: x }, anonymous: true })] },
  "share.save": {
    fileIdentities: [
      (x) => ({ body: { identity: b.share, fileIdentities: [x], targetFolderId: b.subfolder } }),
      (x) => ({ body: { identity: b.share, fileIdentities: [b.inShare, x], targetFolderId: b.subfolder } }),
    ],
    targetFolderId: [(x) => ({ body: { identity: b.share, fileIdentities: [b.inShare], targetFolderId: x } })],
  },
  "search.files": { parentId: [(x) => ({ query: { parentId: x } })] },
  // Polaris-IO's routes: numeric folder ids through `num`; their answers for a missing item are 400 with a not-found code.
  "compat.uploadCheck": {
    parentId: [(x) => ({ body: { hash: sha256(b.content), size: b.content.length, name: "c.bin", parentId: num(x), proof: "" } })],
  },
  "compat.uploadComplete": { uploadKey: [(x) => ({ body: { uploadKey: x } })] },
  "compat.list": { parentId: [(x) => ({ query: { parentId: num(x) } })] },
  "compat.detail": { identity: [(x) => ({ query: { identity: x } })] },
  "compat.download": { identity: [(x) => ({ query: { identity: x } })] },
  "compat.rename": { identity: [(x) => ({ body: { identity: x, name: "renamed" } })] },
  "compat.move": {
    identities: [
      (x) => ({ body: { identities: [x], targetId: num(b.folder) } }),
      (x) => ({ body: { identities: [b.file, x], targetId: num(b.subfolder) } }),
    ],
    targetId: [(x) => ({ body: { identities: [b.file], targetId: num(x) } })],
  },
  "compat.copy": {
    identities: [
      (x) => ({ body: { identities: [x], targetId: num(b.folder) } }),
      (x) => ({ body: { identities: [b.file, x], targetId: num(b.subfolder) } }),
    ],
    targetId: [(x) => ({ body: { identities: [b.file], targetId: num(x) } })],
  },
  "compat.delete": { identities: [(x) => ({ body: { identities: [x] } }), (x) => ({ body: { identities: [b.file, x] } })] },
  "compat.shareCreate": { repositoryIdentity: [(x) => ({ body: { repositoryIdentity: x, expiredType: 7, hasCode: true } })] },
  "compat.shareUpdate": { identity: [(x) => ({ body: { identity: x, expiredType: 30 } })] },
  "compat.shareCancel": { identities: [(x) => ({ body: { identities: [x] } }), (x) => ({ body: { identities: [b.share, x] } })] },
  "compat.shareSave": {
    fileIdentities: [
      (x) => ({ body: { identity: b.share, fileIdentities: [x], targetFolderId: num(b.subfolder) } }),
      (x) => ({ body: { identity: b.share, fileIdentities: [b.inShare, x], targetFolderId: num(b.subfolder) } }),
    ],
    targetFolderId: [(x) => ({ body: { identity: b.share, fileIdentities: [b.inShare], targetFolderId: num(x) } })],
  },
  "compat.shareDownload": { fileIdentity: [(x) => ({ query: { identity: b.share, fileIdentity: x }, anonymous: true })] },
  "compat.searchFiles": { parentId: [(x) => ({ query: { parentId: x } })] },
  "zip.create": { identities: [(x) => ({ body: { identities: [x] } }), (x) => ({ body: { identities: [b.file, x] } })] },
  "zip.status": { id: [(x) => ({ query: { id: x } })] },
  // B's own share: A's items are outside it, A's job is not its job.
  "share.zip": {
    fileIdentities: [
      (x) => ({ body: { identity: b.share, fileIdentities: [x] }, anonymous: true }),
      (x) => ({ body: { identity: b.share, fileIdentities: [b.inShare, x] }, anonymous: true }),
    ],
  },
  "share.zipStatus": { id: [(x) => ({ query: { identity: b.share, id: x }, anonymous: true })] },
  "preview.file": { identity: [(x) => ({ query: { identity: x } })] },
  "preview.share": { fileIdentity: [(x) => ({ query: { shareIdentity: b.share, fileIdentity: x }, anonymous: true })] },
};

async function send(key: string, request: Request) {
  const route = routeTable[key];
  const token = request.anonymous ? undefined : b.token;
  if (!request.prove) return app.call(route.method, route.path, { token, query: request.query, body: request.body });
  const asked = await app.call(route.method, route.path, { token, body: request.body });
  const proof = possessionProof(request.prove, asked.body.data.challenge);
  return app.call(route.method, route.path, { token, body: { ...request.body, proof } });
}

async function fixture(content: Buffer): Promise<Fixture> {
  const { token } = await app.signUp();
  const folder = await createFolder(app, token, "private");
  const subfolder = await createFolder(app, token, "inner", folder);
  const file = await uploadFile(app, token, content, { name: "secret.bin", parentId: folder });
  await uploadFile(app, token, bytes(300, content[0] + 2000), { name: "secret.bin", parentId: folder, onConflict: "version" });
  const trashed = await uploadFile(app, token, bytes(64, content[0] + 1000), { name: "old.bin" });
  expect((await app.call("POST", "/file/v1/file/delete", { token, body: { identities: [trashed] } })).status).toBe(200);
  const share = (
    await app.call("POST", "/share/v1/share/create", { token, body: { fileIdentity: folder, expiredType: 0, hasCode: false } })
  ).body.data.identity;
  const uploadKey = (
    await app.call("POST", "/file/v1/upload/presign", { token, body: { hash: sha256(`pending-${token}`), size: 10, name: "pending.bin" } })
  ).body.data.uploadKey;
  const { userId } = await app.deps.db
    .selectFrom("files")
    .select("user_id as userId")
    .where("identity", "=", folder)
    .executeTakeFirstOrThrow();
  const { version } = await app.deps.db
    .selectFrom("file_versions as v")
    .innerJoin("files as f", "f.id", "v.file_id")
    .select("v.identity as version")
    .where("f.identity", "=", file)
    .executeTakeFirstOrThrow();
  const zipJob = (await app.call("POST", "/file/v1/zip/create", { token, body: { identities: [folder] } })).body.data.id;
  return { token, userId, folder, subfolder, file, trashed, share, uploadKey, version, zipJob };
}

/** Everything of A's: rows of files, uploads and shares, the blobs A's files reference, A's user row (quota). */
async function rowsOf(userId: number) {
  const db = app.deps.db;
  const files = await db.selectFrom("files").selectAll().where("user_id", "=", userId).orderBy("id").execute();
  const shas = files.map((f) => f.blob_sha256).filter((s): s is string => s !== null);
  return {
    files,
    uploads: await db.selectFrom("uploads").selectAll().where("user_id", "=", userId).orderBy("id").execute(),
    shares: await db.selectFrom("shares").selectAll().where("user_id", "=", userId).orderBy("id").execute(),
    versions: await db.selectFrom("file_versions").selectAll().where("user_id", "=", userId).orderBy("id").execute(),
    blobs: shas.length ? await db.selectFrom("blobs").selectAll().where("sha256", "in", shas).orderBy("sha256").execute() : [],
    user: await db.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirstOrThrow(),
  };
}

beforeAll(async () => {
  app = await startTestApp();
  a = await fixture(bytes(300, 41));
  const content = bytes(300, 42);
  const own = await fixture(content);
  const inShare = await createFolder(app, own.token, "shared-inner", own.folder);
  b = { ...own, content, inShare };
});
afterAll(() => app?.close());

/** Numeric ids of everyone's items, for Polaris-IO's numeric fields; an identity of no item gets an id nobody has. */
let numericIds = new Map<string, number>();
const num = (x: string) => numericIds.get(x) ?? Number.MAX_SAFE_INTEGER;
beforeAll(async () => {
  const rows = await app.deps.db.selectFrom("files").select(["identity", "id"]).execute();
  numericIds = new Map(rows.map((r) => [r.identity, Number(r.id)]));
});
const notFoundCodes = Object.values(ErrorCodes)
  .filter((e) => e.status === 404)
  .map((e) => e.code);

describe("authorization matrix: another user's identities behave as missing ones", () => {
  it("has a case for every identity field of the route table", () => {
    const uncovered = identityFields.filter((rf) => {
      const [key, field] = rf.split(" ");
      return !cases[key]?.[field] && !EXEMPT[rf];
    });
    expect(uncovered, "identity fields without a case in authz-matrix.test.ts").toEqual([]);
    const stale = Object.entries(cases)
      .flatMap(([key, fields]) => Object.keys(fields).map((f) => `${key} ${f}`))
      .filter((rf) => !identityFields.includes(rf));
    expect(stale, "cases for fields the route table no longer has").toEqual([]);
  });

  it("answers B exactly as for a missing identity, for each of A's identities, and changes none of A's rows", async () => {
    const before = await rowsOf(a.userId);
    const theirs = {
      folder: a.folder,
      subfolder: a.subfolder,
      file: a.file,
      trashed: a.trashed,
      share: a.share,
      uploadKey: a.uploadKey,
      version: a.version,
      zipJob: a.zipJob,
    };
    const mismatches: string[] = [];
    let compared = 0;
    for (const [key, fields] of Object.entries(cases)) {
      for (const [field, builders] of Object.entries(fields)) {
        for (const [variant, build] of builders.entries()) {
          const missing = await send(key, build(crypto.randomUUID()));
          expect(missing.status, `${key} ${field} #${variant} with a missing identity: ${JSON.stringify(missing.body)}`).toBe(
            routeTable[key].errorStatus ?? 404,
          );
          expect(notFoundCodes, `${key} ${field} #${variant}: ${JSON.stringify(missing.body)}`).toContain(missing.body.code);
          for (const [kind, identity] of Object.entries(theirs)) {
            const answer = await send(key, build(identity));
            compared++;
            if (JSON.stringify(answer) !== JSON.stringify(missing)) {
              mismatches.push(
                `${key} ${field} #${variant} with A's ${kind}: ${answer.status} ${JSON.stringify(answer.body)} ≠ missing ${missing.status} ${JSON.stringify(missing.body)}`,
              );
            }
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(100);
    expect(await rowsOf(a.userId)).toEqual(before);
  });
});

/** A valid request for every administrator route: only the caller's role may decide the answer. */
const adminRequests: Record<string, () => Request> = {
  "admin.users": () => ({ query: { keyword: "1" } }),
  "admin.setQuota": () => ({ body: { mobile: admin.mobile, totalSize: 1, force: true } }),
  "admin.setDisabled": () => ({ body: { mobile: admin.mobile, disabled: true } }),
  "admin.setRole": () => ({ body: { mobile: admin.mobile, role: "user" } }),
  "admin.passwordReset": () => ({ body: { mobile: admin.mobile } }),
  "admin.shares": () => ({ query: { status: 0 } }),
  "admin.shareBan": () => ({ body: { identity: a.share, banned: true } }),
  "admin.stats": () => ({}),
  "admin.audit": () => ({}),
};
let admin: { token: string; mobile: string };

describe("authorization matrix: administrators' routes", () => {
  const adminRoutes = Object.entries(routeTable).filter(([, route]) => route.role === "admin");

  it("has a request for every administrator route", () => {
    expect(adminRoutes.map(([key]) => key).sort()).toEqual(Object.keys(adminRequests).sort());
  });

  it("answers a non-administrator exactly as a route that does not exist, and a disabled administrator 401 200005; nothing changes", async () => {
    // A (the first account of this fresh install) is the administrator; B is not. D becomes one, then is disabled.
    admin = await app.signUp();
    const grant = await app.call("POST", "/admin/v1/user/role", { token: a.token, body: { mobile: admin.mobile, role: "admin" } });
    expect(grant.body.data.user.role).toBe("admin");
    const before = { a: await rowsOf(a.userId), b: await rowsOf(b.userId) };
    const unknown = await app.call("GET", "/admin/v1/nothing", { token: b.token });
    expect(unknown).toEqual({ status: 404, body: { code: 100004, msg: "no route for /admin/v1/nothing" } });
    const asAdmin = async (token: string) => {
      const answers: Record<string, { status: number; body: unknown }> = {};
      for (const [key, route] of adminRoutes) answers[key] = await app.call(route.method, route.path, { token, ...adminRequests[key]() });
      return answers;
    };
    const byB = await asAdmin(b.token);
    for (const [key, route] of adminRoutes)
      expect(byB[key], key).toEqual({ status: 404, body: { code: 100004, msg: `no route for ${route.path}` } });
    expect((await app.call("POST", "/admin/v1/user/disable", { token: a.token, body: { mobile: admin.mobile } })).status).toBe(200);
    const byDisabled = await asAdmin(admin.token);
    for (const [key] of adminRoutes) expect(byDisabled[key], key).toMatchObject({ status: 401, body: { code: 200005 } });
    expect({ a: await rowsOf(a.userId), b: await rowsOf(b.userId) }).toEqual(before);
  });
});
