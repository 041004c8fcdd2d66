import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TestApp } from "./app";
import { bytes, createFolder, uploadFile } from "./files";

/**
 * The search API's contract, run against each engine: SQL over the files table (embedded profile) and
 * OpenSearch (fed by the indexer). `start` brings up an app whose search uses the engine under test.
 */
export function searchContract(engine: string, start: () => Promise<TestApp>) {
  describe(`search contract (${engine})`, () => {
    let app: TestApp;
    let seed = 1000;
    beforeAll(async () => {
      app = await start();
    });
    afterAll(() => app?.close());

    /** Indexing is asynchronous: wait for the background work, then make OpenSearch's writes visible. */
    const settle = async () => {
      await app.background.idle();
      await app.deps.searchIndex?.refresh();
    };
    const post = async (token: string, path: string, body: unknown) => {
      const res = await app.call("POST", path, { token, body });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data;
    };
    const search = async (token: string, query: Record<string, unknown> = {}, path = "/search/v1/search/files") => {
      const res = await app.call("GET", path, { token, query: { pageSize: 100, ...query } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.data as {
        total: number;
        list: { identity: string; name: string; path: string; highlight?: string; size: number; isDir: boolean }[];
      };
    };
    const names = async (token: string, query: Record<string, unknown> = {}) => (await search(token, query)).list.map((h) => h.name);
    const file = (token: string, name: string, size = 10, parentId?: string) =>
      uploadFile(app, token, bytes(size, ++seed), { name, parentId });

    /** One user's drive with the names the cases below look for; sizes are distinct. */
    async function library() {
      const { token } = await app.signUp();
      const reports = await createFolder(app, token, "Reports");
      await file(token, "annual-report-2025.pdf", 300);
      await file(token, "report.pdf", 200);
      await file(token, "myreports.txt", 50);
      await file(token, "年度报告2025.pdf", 400, reports);
      await file(token, "季度总结.docx", 120, reports);
      await file(token, "photo.jpg", 800);
      await settle();
      return { token, reports };
    }

    it("matches whole words, prefixes and infixes, case-insensitively, best matches first", async () => {
      const { token } = await library();
      const report = await names(token, { keyword: "report" });
      expect(report).toHaveLength(4);
      expect(report.slice(0, 2).sort()).toEqual(["annual-report-2025.pdf", "report.pdf"]);
      expect(report.slice(2)).toEqual(["Reports", "myreports.txt"]);
      expect(await names(token, { keyword: "ann" })).toEqual(["annual-report-2025.pdf"]);
      expect((await names(token, { keyword: "eport" })).sort()).toEqual([
        "Reports",
        "annual-report-2025.pdf",
        "myreports.txt",
        "report.pdf",
      ]);
      expect(await names(token, { keyword: "PHOTO" })).toEqual(["photo.jpg"]);
      expect(await names(token, { keyword: "photo.jpg" })).toEqual(["photo.jpg"]);
      expect(await names(token, { keyword: "nothing-like-this" })).toEqual([]);
    });

    it("finds Chinese names by any part of them (报告 finds 年度报告2025.pdf)", async () => {
      const { token, reports } = await library();
      const hits = await search(token, { keyword: "报告" });
      expect(hits.list.map((h) => h.name)).toEqual(["年度报告2025.pdf"]);
      expect(hits.list[0]).toMatchObject({
        path: "/Reports",
        parentId: reports,
        highlight: "年度<em>报告</em>2025.pdf",
        size: 400,
        isDir: false,
      });
      expect(await names(token, { keyword: "总结" })).toEqual(["季度总结.docx"]);
      expect(await names(token, { keyword: "度" })).toHaveLength(2);
      expect((await names(token, { keyword: "2025" })).sort()).toEqual(["annual-report-2025.pdf", "年度报告2025.pdf"]);
    });

    it("wraps every match of the keyword in <em>, keeping the name's case", async () => {
      const { token } = await library();
      const hits = await search(token, { keyword: "REPORT" });
      const byName = Object.fromEntries(hits.list.map((h) => [h.name, h.highlight]));
      expect(byName).toMatchObject({ Reports: "<em>Report</em>s", "myreports.txt": "my<em>report</em>s.txt" });
      expect((await search(token, {})).list.every((h) => h.highlight === undefined)).toBe(true);
    });

    it("filters by extension, folder or file, size range and folder subtree", async () => {
      const { token, reports } = await library();
      expect((await names(token, { ext: "pdf" })).sort()).toEqual(["annual-report-2025.pdf", "report.pdf", "年度报告2025.pdf"]);
      expect((await names(token, { ext: "docx,.JPG" })).sort()).toEqual(["photo.jpg", "季度总结.docx"]);
      const repeated = await app.call("GET", "/search/v1/search/files?ext=txt&ext=jpg", { token });
      expect(repeated.body.data.list.map((h: { name: string }) => h.name).sort()).toEqual(["myreports.txt", "photo.jpg"]);
      expect(await names(token, { isDir: true })).toEqual(["Reports"]);
      expect(await names(token, { keyword: "report", isDir: false })).not.toContain("Reports");
      expect((await names(token, { minSize: 200, maxSize: 400 })).sort()).toEqual([
        "annual-report-2025.pdf",
        "report.pdf",
        "年度报告2025.pdf",
      ]);
      expect(await names(token, { minSize: 801 })).toEqual([]);
      expect((await names(token, { parentId: reports })).sort()).toEqual(["季度总结.docx", "年度报告2025.pdf"]);
      expect(await names(token, { parentId: reports, keyword: "报告" })).toEqual(["年度报告2025.pdf"]);
      expect(await names(token, { parentId: "0", ext: "jpg" })).toEqual(["photo.jpg"]);
    });

    it("sorts by name, size and time in either direction, ties by id", async () => {
      const { token } = await library();
      const bySize = await search(token, { sortBy: "size", isDir: false });
      expect(bySize.list.map((h) => h.size)).toEqual([50, 120, 200, 300, 400, 800]);
      const bySizeDesc = await search(token, { sortBy: "size", sortDesc: true, isDir: false });
      expect(bySizeDesc.list.map((h) => h.size)).toEqual([800, 400, 300, 200, 120, 50]);
      // Code point order: upper case before lower case, Chinese last.
      expect(await names(token, { sortBy: "name" })).toEqual([
        "Reports",
        "annual-report-2025.pdf",
        "myreports.txt",
        "photo.jpg",
        "report.pdf",
        "季度总结.docx",
        "年度报告2025.pdf",
      ]);
      expect(await names(token, { sortBy: "create_time", sortDesc: true, pageSize: 2 })).toEqual(["photo.jpg", "季度总结.docx"]);
      expect((await names(token, { sortBy: "update_time" }))[0]).toBe("Reports");
      // Without a keyword, relevance means the most recently updated first.
      expect((await names(token, {}))[0]).toBe("photo.jpg");
    });

    it("pages through the results without gaps or repeats", async () => {
      const { token } = await library();
      const pages = await Promise.all([1, 2, 3, 4].map((page) => search(token, { sortBy: "name", page, pageSize: 2 })));
      expect(pages.map((p) => p.total)).toEqual([7, 7, 7, 7]);
      expect(pages.map((p) => p.list.length)).toEqual([2, 2, 2, 1]);
      expect(pages.flatMap((p) => p.list.map((h) => h.name))).toEqual(await names(token, { sortBy: "name" }));
    });

    it("answers stats of the caller's active items", async () => {
      const { token } = await library();
      const stats = (await app.call("GET", "/search/v1/search/stats", { token })).body.data;
      expect(stats).toEqual({
        totalFiles: 6,
        totalFolders: 1,
        totalSize: 300 + 200 + 50 + 400 + 120 + 800,
        byExt: [
          { ext: "pdf", count: 3, size: 900 },
          { ext: "docx", count: 1, size: 120 },
          { ext: "jpg", count: 1, size: 800 },
          { ext: "txt", count: 1, size: 50 },
        ],
      });
    });

    it("never returns another user's items, and treats their folders as missing", async () => {
      const mine = await library();
      const { token: other } = await app.signUp();
      const theirs = await createFolder(app, other, "report-archive");
      await file(other, "report-b.pdf", 10, theirs);
      await settle();
      expect(await names(mine.token, { keyword: "report" })).not.toEqual(expect.arrayContaining(["report-b.pdf"]));
      expect((await names(other, { keyword: "report" })).sort()).toEqual(["report-archive", "report-b.pdf"]);
      expect((await app.call("GET", "/search/v1/search/stats", { token: other })).body.data).toMatchObject({
        totalFiles: 1,
        totalFolders: 1,
      });
      const foreign = await app.call("GET", "/search/v1/search/files", { token: mine.token, query: { parentId: theirs } });
      expect(foreign).toMatchObject({ status: 404, body: { code: 300009 } });
    });

    it("drops trashed items (whole subtrees) and finds them again once restored", async () => {
      const { token, reports } = await library();
      const photo = (await search(token, { keyword: "photo" })).list[0].identity;
      await post(token, "/file/v1/file/delete", { identities: [photo, reports] });
      await settle();
      expect(await names(token, { keyword: "photo" })).toEqual([]);
      expect(await names(token, { keyword: "报告" })).toEqual([]);
      expect((await app.call("GET", "/search/v1/search/stats", { token })).body.data).toMatchObject({ totalFiles: 3, totalFolders: 0 });
      await post(token, "/file/v1/trash/restore", { identities: [reports] });
      await settle();
      expect(await names(token, { keyword: "报告" })).toEqual(["年度报告2025.pdf"]);
      await post(token, "/file/v1/trash/delete", { identities: [photo] });
      await settle();
      expect(await names(token, { keyword: "photo" })).toEqual([]);
    });

    it("finds renamed and moved items under their new names and paths", async () => {
      const { token, reports } = await library();
      const archive = await createFolder(app, token, "Archive");
      const report = (await search(token, { keyword: "report.pdf" })).list.find((h) => h.name === "report.pdf")!.identity;
      await post(token, "/file/v1/file/rename", { identity: report, name: "summary.pdf" });
      await post(token, "/file/v1/file/move", { identities: [reports], targetId: archive });
      await settle();
      expect(await names(token, { keyword: "report.pdf" })).toEqual([]);
      expect((await search(token, { keyword: "summary" })).list).toMatchObject([{ identity: report, name: "summary.pdf", path: "/" }]);
      expect((await search(token, { keyword: "报告" })).list).toMatchObject([{ path: "/Archive/Reports" }]);
      expect(await names(token, { parentId: archive, isDir: false })).toHaveLength(2);

      await post(token, "/file/v1/file/rename", { identity: archive, name: "Old" });
      await settle();
      expect((await search(token, { keyword: "总结" })).list).toMatchObject([{ path: "/Old/Reports" }]);
      expect(await names(token, { keyword: "archive" })).toEqual([]);
    });

    it("finds copies, and reports paths of deeper folders", async () => {
      const { token, reports } = await library();
      const y2025 = await createFolder(app, token, "2025", reports);
      await file(token, "deep.txt", 5, y2025);
      const backup = await createFolder(app, token, "Backup");
      await post(token, "/file/v1/file/copy", { identities: [reports], targetId: backup });
      await settle();
      const deep = await search(token, { keyword: "deep", sortBy: "name" });
      expect(deep.list.map((h) => h.path).sort()).toEqual(["/Backup/Reports/2025", "/Reports/2025"]);
      expect(await names(token, { keyword: "报告", parentId: backup })).toEqual(["年度报告2025.pdf"]);
    });

    it("finds what a share saved into the drive", async () => {
      const { token, reports } = await library();
      const share = await post(token, "/share/v1/share/create", { fileIdentity: reports, expiredType: 0, hasCode: false });
      const { token: saver } = await app.signUp();
      await post(saver, "/share/v1/share/save", { identity: share.identity, fileIdentities: [reports] });
      await settle();
      expect((await search(saver, { keyword: "报告" })).list).toMatchObject([{ name: "年度报告2025.pdf", path: "/Reports" }]);
      expect((await search(token, { keyword: "报告" })).total).toBe(1);
    });

    it("refuses bad queries with 400 and names the field", async () => {
      const { token } = await app.signUp();
      const cases: [Record<string, unknown>, string][] = [
        [{ minSize: 10, maxSize: 5 }, "minSize"],
        [{ sortBy: "owner" }, "sortBy"],
        [{ pageSize: 1001 }, "pageSize"],
        [{ page: 11, pageSize: 1000 }, "page"],
        [{ isDir: "maybe" }, "isDir"],
        [{ minSize: -1 }, "minSize"],
        [{ parentId: "not-a-folder" }, "parentId"],
        [{ keyword: "x".repeat(256) }, "keyword"],
      ];
      for (const [query, field] of cases) {
        const res = await app.call("GET", "/search/v1/search/files", { token, query });
        expect(res.status, JSON.stringify(query)).toBe(400);
        expect(res.body.code).toBe(100002);
        expect(res.body.msg).toContain(field);
      }
      expect((await app.call("GET", "/search/v1/search/files", { query: { keyword: "a" } })).status).toBe(401);
      expect(await app.call("GET", "/search/v1/search/files", { token, query: { parentId: crypto.randomUUID() } })).toMatchObject({
        status: 404,
        body: { code: 300009 },
      });
    });
  });
}
