import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import pg from "pg";
import { freshDatabaseEnv } from "@polaris/api-tests/support/database";
import { createPgPool, openDatabase } from "./database";

describe("PGlite on disk", () => {
  it("creates the cluster on first open (npm start's first run) and keeps what was written", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "polaris-pglite-")), "pglite");
    try {
      const first = await openDatabase({ kind: "pglite", dataDir });
      await sql`create table kept (note text)`.execute(first);
      await sql`insert into kept values ('still here')`.execute(first);
      await first.destroy();
      const again = await openDatabase({ kind: "pglite", dataDir });
      expect((await sql<{ note: string }>`select note from kept`.execute(again)).rows).toEqual([{ note: "still here" }]);
      await again.destroy();
    } finally {
      rmSync(dirname(dataDir), { recursive: true, force: true });
    }
  }, 120_000);
});

// PostgreSQL only (the unit (PostgreSQL) pass sets POLARIS_TEST_DATABASE_URL).
describe.skipIf(!process.env.POLARIS_TEST_DATABASE_URL)("pg pool", () => {
  it("survives the server dropping its idle connections (a restart) and connects afresh", async () => {
    const database = await freshDatabaseEnv();
    const pool = createPgPool(database.env.DATABASE_URL, 4);
    try {
      await Promise.all(Array.from({ length: 4 }, () => pool.query("select pg_sleep(0.05)")));
      expect(pool.idleCount).toBeGreaterThan(0);
      const admin = new pg.Client({ connectionString: database.env.DATABASE_URL });
      await admin.connect();
      await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
      );
      await admin.end();
      // The idle clients learn of it asynchronously; without an 'error' listener on the pool, that ends the process.
      await new Promise((r) => setTimeout(r, 300));
      expect((await pool.query("select 1 as one")).rows).toEqual([{ one: 1 }]);

      // A connection checked out between two statements of a transaction: the next statement fails, nothing else.
      const held = await pool.connect();
      await held.query("begin");
      const [{ pid }] = (await held.query("select pg_backend_pid() as pid")).rows;
      await pool.query("select pg_terminate_backend($1)", [pid]);
      await new Promise((r) => setTimeout(r, 300));
      await expect(held.query("select 1")).rejects.toThrow();
      held.release();
      expect((await pool.query("select 2 as two")).rows).toEqual([{ two: 2 }]);
    } finally {
      await pool.end();
      await database.drop();
    }
  });
});
