import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bytes, createFolder, startTestApp, uploadFile, type TestApp } from "./support";

/** A list cursor the server did not issue is 400 100002, whatever its values (issue 16, defect 4). */

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const invalid = { status: 400, body: expect.objectContaining({ code: 100002, msg: expect.stringContaining("cursor") }) };

describe("a forged list cursor", () => {
  it("is 400 100002 for wrong-typed or out-of-range values under every order", async () => {
    const { token } = await app.signUp();
    await createFolder(app, token, "d");
    await uploadFile(app, token, bytes(10, 7), { name: "f.bin" });
    const forged: Record<string, unknown[]> = {
      name: [
        [false, 5, 1],
        [false, true, 1],
        [false, null, 1],
        [false, ["a"], 1],
        [false, "\ud800", 1],
        [false, "a", "1"],
        [false, "a", 1.5],
        [false, "a", -1],
        [false, "a", 1e308],
      ],
      size: [
        [false, "big", 1],
        [false, 1e308, 1],
        [false, -1, 1],
        [false, 1.5, 1],
        [false, "10", 1],
        [false, null, 1],
        [false, 10, 2 ** 60],
      ],
      create_time: [
        [false, 1e308, 1],
        [false, "now", 1],
        [false, -1e15, 1],
        [false, 8.64e15, 1],
        [false, 1.5, 1],
        [false, {}, 1],
      ],
      update_time: [
        [true, 1e308, 1],
        [true, "2024-01-01", 1],
        [true, 1e17, 1],
        [true, Number.MAX_SAFE_INTEGER, 1],
      ],
    };
    for (const [orderBy, values] of Object.entries(forged)) {
      for (const value of values) {
        for (const order of ["asc", "desc"]) {
          const res = await app.call("GET", "/file/v1/file/list", { token, query: { orderBy, order, cursor: cursorOf(value) } });
          expect(res, `${orderBy} ${order} ${JSON.stringify(value)}`).toMatchObject(invalid);
        }
      }
    }
    for (const cursor of [
      "not-base64!",
      cursorOf({ a: 1 }),
      cursorOf([false, "a"]),
      cursorOf([0, "a", 1]),
      Buffer.from("[false,").toString("base64url"),
    ]) {
      expect(await app.call("GET", "/file/v1/file/list", { token, query: { cursor } }), cursor).toMatchObject(invalid);
    }
  });

  it("still pages with the cursors the server issues, under every order", async () => {
    const { token } = await app.signUp();
    for (let i = 0; i < 3; i++) await createFolder(app, token, `d${i}`);
    for (let i = 0; i < 3; i++) await uploadFile(app, token, bytes(10 + i, 20 + i), { name: `f${i}.bin` });
    for (const orderBy of ["name", "size", "create_time", "update_time"]) {
      for (const order of ["asc", "desc"]) {
        const seen: string[] = [];
        let cursor: string | undefined;
        let first = true;
        while (first || cursor) {
          const res = await app.call("GET", "/file/v1/file/list", {
            token,
            query: { orderBy, order, pageSize: 2, ...(cursor ? { cursor } : {}) },
          });
          expect(res.status, `${orderBy} ${order}`).toBe(200);
          seen.push(...res.body.data.list.map((f: { name: string }) => f.name));
          cursor = res.body.data.nextCursor;
          first = false;
        }
        expect(seen.sort(), `${orderBy} ${order}`).toEqual(["d0", "d1", "d2", "f0.bin", "f1.bin", "f2.bin"]);
      }
    }
  });
});
