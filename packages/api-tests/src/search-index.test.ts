import { CompiledQuery, sql, type KyselyPlugin } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSqlSearch } from "@polaris/adapters";
import { startTestApp, type TestApp } from "./support";

/**
 * SQL search finds a keyword's candidates through files_search_grams, whatever its length or script
 * (issue 15: a search over a drive of 100,000 files read every name of the user, and timed out).
 */
describe.skipIf(process.env.POLARIS_TEST_PROFILE === "parity")("SQL search over a big drive", () => {
  let app: TestApp;
  let token: string;
  let userId: number;
  beforeAll(async () => {
    app = await startTestApp();
    const user = await app.signUp();
    token = user.token;
    userId = (await app.deps.db.selectFrom("users").select("id").where("mobile", "=", user.mobile).executeTakeFirstOrThrow()).id;
    // 20,000 names without the keywords below, and a few with them.
    await sql`insert into files (identity, user_id, parent_id, name, ext, is_dir, size)
      select gen_random_uuid(), ${userId}, 0, 'file-' || g || '.txt', 'txt', false, g from generate_series(1, 20000) g`.execute(
      app.deps.db,
    );
    for (const name of ["年度报告.pdf", "季度报告-Q3.docx", "Invoice-2025.pdf", "my_invoice.txt", "合同.pdf"]) {
      await sql`insert into files (identity, user_id, parent_id, name, ext, is_dir, size)
        values (gen_random_uuid(), ${userId}, 0, ${name}, '', false, 1)`.execute(app.deps.db);
    }
    await sql`analyze files`.execute(app.deps.db);
  });
  afterAll(() => app?.close());

  /** The statements the SQL engine sends for one search, each with its plan. */
  async function plans(keyword: string) {
    // A query built into another (a CTE's select) passes transformQuery too but is never sent on its
    // own: only the queries whose results come back were sent.
    const built = new Map<unknown, CompiledQuery>();
    const sent: CompiledQuery[] = [];
    const db = app.deps.db;
    const spy: KyselyPlugin = {
      transformQuery: ({ node, queryId }) => (built.set(queryId, db.getExecutor().compileQuery(node, queryId)), node),
      transformResult: async ({ result, queryId }) => (sent.push(built.get(queryId)!), result),
    };
    await createSqlSearch(db.withPlugin(spy)).search(userId, {
      keyword,
      exts: [],
      sortBy: "relevance",
      sortDesc: false,
      offset: 0,
      limit: 20,
    });
    return Promise.all(
      sent.map(async (q) =>
        (await db.executeQuery<{ "QUERY PLAN": string }>(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]))).rows
          .map((r) => r["QUERY PLAN"])
          .join("\n"),
      ),
    );
  }

  it("reads candidates from the index for one, two and more characters, Latin and Chinese", async () => {
    for (const keyword of ["报告", "合", "年度报告", "invoice", "INV", "2025"]) {
      const statements = await plans(keyword);
      expect(statements, keyword).toHaveLength(1);
      expect(statements[0], keyword).toContain("files_search_grams");
    }
  });

  it("answers what a scan of the names would", async () => {
    const names = async (keyword: string) => {
      const res = await app.call("GET", "/search/v1/search/files", { token, query: { keyword, pageSize: 100 } });
      expect(res.status).toBe(200);
      return { total: res.body.data.total, names: res.body.data.list.map((h: { name: string }) => h.name) };
    };
    expect(await names("报告")).toEqual({ total: 2, names: ["年度报告.pdf", "季度报告-Q3.docx"] });
    expect(await names("INVOICE")).toEqual({ total: 2, names: ["my_invoice.txt", "Invoice-2025.pdf"] });
    expect(await names("合")).toEqual({ total: 1, names: ["合同.pdf"] });
    expect((await names("e-1999")).names).toEqual([
      "file-1999.txt",
      "file-19990.txt",
      "file-19991.txt",
      "file-19992.txt",
      "file-19993.txt",
      "file-19994.txt",
      "file-19995.txt",
      "file-19996.txt",
      "file-19997.txt",
      "file-19998.txt",
      "file-19999.txt",
    ]);
    expect((await names("file-")).total).toBe(10_000);
    expect(await names("报告x")).toEqual({ total: 0, names: [] });
    // A page past the last match still says how many there are.
    const past = await app.call("GET", "/search/v1/search/files", { token, query: { keyword: "报告", page: 3, pageSize: 1 } });
    expect(past.body.data).toEqual({ total: 2, list: [] });
  });
});
