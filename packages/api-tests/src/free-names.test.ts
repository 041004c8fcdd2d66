import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, createFolder, listNames, startTestApp, upload, uploadFile, type TestApp } from "./support";

/**
 * A name that clashes gets the first free " (n)" among its siblings: a file's at its extension, a
 * folder's at its end. The finder used to look for the taken suffixes with a pattern built from a
 * stem cut at the last dot, so it missed them for dot-files, trailing dots and folders with dots, and
 * the next clash picked a taken name and answered 500 (issue 16, defect 1).
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

let seed = 1;
const post = async (token: string, path: string, body: unknown) => {
  const res = await app.call("POST", path, { token, body });
  expect(res.status, `${path} ${JSON.stringify(res.body)}`).toBe(200);
  return res.body.data;
};

describe("a clash resolves to a free sibling name, never a 500", () => {
  it("uploads .env, notes., a%b_c.txt three times each into one folder", async () => {
    const { token } = await app.signUp();
    const folder = await createFolder(app, token, "f");
    for (const name of [".env", "notes.", "a%b_c.txt"]) {
      for (let i = 0; i < 3; i++) await uploadFile(app, token, bytes(16, seed++), { name, parentId: folder });
    }
    expect((await listNames(app, token, folder)).sort()).toEqual(
      [".env", ".env (1)", ".env (2)", "a%b_c (1).txt", "a%b_c (2).txt", "a%b_c.txt", "notes.", "notes. (1)", "notes. (2)"].sort(),
    );
  });

  it("copies a folder named v1.2 into its own parent twice", async () => {
    const { token } = await app.signUp();
    const v = await createFolder(app, token, "v1.2");
    for (let i = 0; i < 3; i++) await post(token, "/file/v1/file/copy", { identities: [v], targetId: "0" });
    expect((await listNames(app, token)).sort()).toEqual(["v1.2", "v1.2 (1)", "v1.2 (2)", "v1.2 (3)"]);
  });

  it("saves a shared folder photos.2024 three times", async () => {
    const owner = await app.signUp();
    const photos = await createFolder(app, owner.token, "photos.2024");
    const share = await post(owner.token, "/share/v1/share/create", { fileIdentity: photos, expiredType: 0, hasCode: false });
    const { token } = await app.signUp();
    for (let i = 0; i < 3; i++) await post(token, "/share/v1/share/save", { identity: share.identity, fileIdentities: [photos] });
    expect((await listNames(app, token)).sort()).toEqual(["photos.2024", "photos.2024 (1)", "photos.2024 (2)"]);
  });

  it("keeps a suffixed name of 255 characters within the limit", async () => {
    const { token } = await app.signUp();
    const name = `${"n".repeat(251)}.txt`;
    for (let i = 0; i < 3; i++) await uploadFile(app, token, bytes(16, seed++), { name });
    const names = await listNames(app, token);
    expect(new Set(names).size).toBe(3);
    for (const n of names) expect(n.length).toBeLessThanOrEqual(255);
    expect(names).toContain(`${"n".repeat(247)} (1).txt`);
  });

  it("property: any sequence of clashing uploads and folder copies ends in distinct names", async () => {
    const { token } = await app.signUp();
    const piece = fc.constantFrom("a", ".", "v1", "2024", " (1)", "(2)", " ", "%", "_", "é", "😀", "..", "txt", ".tar.gz");
    const name = fc
      .array(piece, { minLength: 1, maxLength: 5 })
      .map((parts) => parts.join(""))
      .filter((n) => n.trim() === n && n !== "." && n !== ".." && n.length <= 255);
    const step = fc.record({ name, isDir: fc.boolean(), times: fc.integer({ min: 1, max: 4 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 3 }), async (steps) => {
        const folder = await createFolder(app, token, `run-${seed++}`);
        const made: string[] = [];
        for (const { name, isDir, times } of steps) {
          if (isDir) {
            const existing = await app.call("POST", "/file/v1/folder/create", { token, body: { name, parentId: folder } });
            // A name already taken by a file or folder is a conflict for create; copy the folder in instead.
            const source = existing.status === 200 ? existing.body.data.identity : await createFolder(app, token, name);
            if (existing.status === 200) made.push(name);
            for (let i = 0; i < times; i++) {
              const res = await app.call("POST", "/file/v1/file/copy", { token, body: { identities: [source], targetId: folder } });
              expect(res.status, `copy ${JSON.stringify(name)}: ${JSON.stringify(res.body)}`).toBe(200);
              made.push(name);
            }
            if (existing.status !== 200) await post(token, "/file/v1/file/delete", { identities: [source] });
          } else {
            for (let i = 0; i < times; i++) {
              const { callback } = await upload(app, token, bytes(8, seed++), { name, parentId: folder });
              expect(callback?.status, `upload ${JSON.stringify(name)}: ${JSON.stringify(callback?.body)}`).toBe(200);
              made.push(name);
            }
          }
        }
        const names = await listNames(app, token, folder);
        expect(names.length).toBe(made.length);
        expect(new Set(names).size).toBe(names.length);
        for (const n of names) expect(n.length).toBeLessThanOrEqual(255);
      }),
      { numRuns: 25, seed: 16 },
    );
  }, 30_000);
});
