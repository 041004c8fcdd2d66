import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, createFolder, listNames, quota, sha256, startTestApp, uploadFile, type TestApp } from "./support";

/**
 * A name may not hide how it reads: bidi controls turned "invoice\u202Efdp.exe" into what shows as
 * "invoiceexe.pdf", and zero-width characters, the BOM and line separators were stored as sent. The
 * 255 limit counted UTF-16 units, so 128 emoji were "too long", and the OpenAPI document said 1024
 * (issue 16, defect 7).
 */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const post = (token: string, path: string, body: unknown) => app.call("POST", path, { token, body });
const emoji = (n: number) => "😀".repeat(n);
const hex = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;

const forbidden = [
  ["left-to-right embedding", "\u202A"],
  ["right-to-left embedding", "\u202B"],
  ["pop directional formatting", "\u202C"],
  ["left-to-right override", "\u202D"],
  ["right-to-left override", "\u202E"],
  ["left-to-right isolate", "\u2066"],
  ["right-to-left isolate", "\u2067"],
  ["first strong isolate", "\u2068"],
  ["pop directional isolate", "\u2069"],
  ["left-to-right mark", "\u200E"],
  ["right-to-left mark", "\u200F"],
  ["Arabic letter mark", "\u061C"],
  ["zero-width space", "\u200B"],
  ["zero-width non-joiner", "\u200C"],
  ["zero-width joiner", "\u200D"],
  ["word joiner", "\u2060"],
  ["byte order mark", "\uFEFF"],
  ["line separator", "\u2028"],
  ["paragraph separator", "\u2029"],
] as const;

/** Every way a name enters: each answers 400 300012 naming the character, and writes nothing. */
async function refusedEverywhere(name: string, message: RegExp) {
  const { token } = await app.signUp();
  const content = bytes(64, name.length);
  const folder = await createFolder(app, token, "plain");
  const attempts = [
    await post(token, "/file/v1/folder/create", { name }),
    await post(token, "/file/v1/file/rename", { identity: folder, name }),
    await post(token, "/file/v1/upload/presign", { hash: sha256(content), size: content.length, name }),
    await post(token, "/file/v1/upload/instant", { hash: sha256(content), size: content.length, name }),
  ];
  for (const res of attempts) {
    expect(res).toMatchObject({ status: 400, body: { code: 300012 } });
    expect(res.body.msg).toMatch(message);
  }
  expect(await listNames(app, token)).toEqual(["plain"]);
  expect(await quota(app, token)).toMatchObject({ usedSize: 0, reservedSize: 0 });
}

describe("names that hide how they read", () => {
  it.each(forbidden)("refuses a %s on create, rename, presign and instant upload", async (_, c) => {
    await refusedEverywhere(`invoice${c}fdp.exe`, new RegExp(`invisible or direction-changing character ${hex(c).replace("+", "\\+")}`));
  });

  it("still takes names in right-to-left scripts and with visible combining marks", async () => {
    const { token } = await app.signUp();
    for (const name of ["שלום.txt", "مرحبا", "café", "ко\u0301т"]) await createFolder(app, token, name);
    expect((await listNames(app, token)).sort()).toEqual(["café", "ко\u0301т", "مرحبا", "שלום.txt"].sort());
  });
});

describe("the length limit counts characters (code points), not UTF-16 units", () => {
  it("takes 255 emoji on create, rename and upload, and suffixes a clash within 255", async () => {
    const { token } = await app.signUp();
    await createFolder(app, token, emoji(255));
    const other = await createFolder(app, token, "other");
    const renamed = await post(token, "/file/v1/file/rename", { identity: other, name: `${emoji(254)}x` });
    expect(renamed).toMatchObject({ status: 200, body: { data: { file: { name: `${emoji(254)}x` } } } });
    await uploadFile(app, token, bytes(32, 1), { name: emoji(255) });
    const names = await listNames(app, token);
    expect(names).toContain(emoji(255));
    expect(names).toContain(`${emoji(251)} (1)`);
    for (const n of names) expect([...n].length).toBeLessThanOrEqual(255);
  });

  it("refuses 256 emoji everywhere", async () => {
    await refusedEverywhere(emoji(256), /must be 1–255 characters \(this one has 256\)/);
  });
});

describe("the OpenAPI document states the rule core applies", () => {
  it("gives every name field maxLength 255 and a pattern that excludes the refused characters", async () => {
    expect((await app.call("GET", "/docs")).status).toBe(200);
    const doc = (await app.call("GET", "/openapi.json")).body;
    const routes = ["/file/v1/folder/create", "/file/v1/file/rename", "/file/v1/upload/presign", "/file/v1/upload/instant"];
    for (const path of routes) {
      const name = doc.paths[path].post.requestBody.content["application/json"].schema.properties.name;
      expect(name, path).toMatchObject({ type: "string", minLength: 1, maxLength: 255 });
      const pattern = new RegExp(name.pattern);
      for (const [, c] of forbidden) expect(pattern.test(`a${c}b`), `${path} ${hex(c)}`).toBe(false);
      expect(pattern.test("a/b")).toBe(false);
      expect(pattern.test(emoji(255))).toBe(true);
    }
  });
});
