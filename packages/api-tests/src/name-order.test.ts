import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFolder, startTestApp, type TestApp } from "./support";

/**
 * The list's name order is natural and case-insensitive, pages by cursor in that order both ways, and
 * the recycle bin says where each item came from (issue 18).
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app?.close());

const names = (res: { body: { data: { list: { name: string }[] } } }) => res.body.data.list.map((f) => f.name);

describe("name order", () => {
  it("is natural and case-insensitive, folders first, the same by cursor pages in both directions", async () => {
    const { token } = await app.signUp();
    const root = await createFolder(app, token, "order");
    // Folders only: the order rule is the same for files, and folders are the cheapest items to make.
    const shuffled = ["file10", "File2", "b", "file1", "A", "file2.txt", "阿", "文件9", "文件10"];
    for (const name of shuffled) await createFolder(app, token, name, root);
    const expected = ["A", "b", "file1", "File2", "file2.txt", "file10"];
    const list = (query: Record<string, unknown>) => app.call("GET", "/file/v1/file/list", { token, query: { parentId: root, ...query } });

    const all = names(await list({ pageSize: 100 }));
    expect(all.slice(0, 6)).toEqual(expected);
    // Chinese names come after Latin ones, and numbers inside them are natural too.
    expect(all.indexOf("文件9")).toBeLessThan(all.indexOf("文件10"));
    expect(all.slice(6).sort()).toEqual(["文件10", "文件9", "阿"].sort());

    for (const order of ["asc", "desc"] as const) {
      const paged: string[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 10; i++) {
        const res = await list({ pageSize: 2, order, ...(cursor ? { cursor } : {}) });
        expect(res.status).toBe(200);
        paged.push(...names(res));
        cursor = res.body.data.nextCursor;
        if (!cursor) break;
      }
      expect(paged).toEqual(order === "asc" ? all : [...all].reverse());
    }
  });

  it("the recycle bin shows the folder each item was deleted from", async () => {
    const { token } = await app.signUp();
    const a = await createFolder(app, token, "a");
    const b = await createFolder(app, token, "b", a);
    const inner = await createFolder(app, token, "inner", b);
    const top = await createFolder(app, token, "top");
    const del = await app.call("POST", "/file/v1/file/delete", { token, body: { identities: [inner, top] } });
    expect(del.status).toBe(200);
    const trash = await app.call("GET", "/file/v1/trash/list", { token });
    const origin = Object.fromEntries((trash.body.data.list as { name: string; originPath: string }[]).map((i) => [i.name, i.originPath]));
    expect(origin).toEqual({ inner: "/a/b", top: "/" });
  });
});
