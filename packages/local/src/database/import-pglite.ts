// A drive made by an earlier version kept its database in PGlite (<home>/pglite). At the first start
// on the native server, its rows are copied over in one transaction and the PGlite folder is kept
// as <home>/pglite.imported: nothing is lost, and a failed copy leaves both as they were.
import { existsSync, renameSync } from "node:fs";
import { join } from "node:path";
import { sql } from "kysely";
import { openDatabase } from "@polaris/adapters/database";
import { migrateToLatest } from "@polaris/core/migrate";

const BATCH_ROWS = 5_000;

/** Copies `<home>/pglite` into the server at `targetUrl` (holding no users) once; returns how many rows moved, or undefined if there was nothing to import. */
export async function importPgliteData(home: string, targetUrl: string): Promise<number | undefined> {
  const folder = join(home, "pglite");
  if (!existsSync(join(folder, "PG_VERSION"))) return undefined;
  // The pool connects on its first query; PGlite opens its files now.
  const target = await openDatabase({ kind: "postgres", url: targetUrl, poolSize: 2 });
  const source = await openDatabase({ kind: "pglite", dataDir: folder });
  let copied = 0;
  try {
    // Both at the same schema: the old drive may predate migrations this version has.
    await migrateToLatest(source);
    await migrateToLatest(target);
    const { rows: tables } = await sql<{ name: string; always: boolean }>`
      select c.relname as name, exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attidentity = 'a') as always
      from pg_class c where c.relkind = 'r' and c.relnamespace = 'public'::regnamespace and c.relname not like 'kysely_%'
      order by c.relname`.execute(target);
    await target.transaction().execute(async (tx) => {
      const {
        rows: [{ users }],
      } = await sql<{ users: number }>`select count(*)::int as users from users`.execute(tx);
      if (users > 0) throw new Error(`cannot import ${folder}: the new database already holds ${users} users`);
      // Rows go in as they are: the copied tables already hold what foreign keys and triggers would check or derive.
      await sql`set local session_replication_role = replica`.execute(tx);
      for (const { name, always } of tables) {
        const table = sql.table(name);
        for (let offset = 0; ; offset += BATCH_ROWS) {
          // JSON on both sides: each value keeps the text form PostgreSQL gives it (int8, bytea, jsonb, arrays, timestamps alike).
          const {
            rows: [batch],
          } = await sql<{ rows: string | null; count: number }>`
            select json_agg(t)::text as rows, count(*)::int as count from (select * from ${table} order by ctid limit ${BATCH_ROWS} offset ${offset}) t`.execute(
            source,
          );
          if (!batch?.rows) break;
          await sql`insert into ${table} ${always ? sql`overriding system value` : sql``} select * from json_populate_recordset(null::${table}, ${batch.rows}::json)`.execute(
            tx,
          );
          copied += batch.count;
          if (batch.count < BATCH_ROWS) break;
        }
      }
      // Identity columns continue after the copied ids.
      await sql`select setval(s.seq, m.max) from (
        select pg_get_serial_sequence(quote_ident(c.relname), a.attname) as seq, c.relname, a.attname
        from pg_attribute a join pg_class c on c.oid = a.attrelid
        where a.attidentity <> '' and c.relnamespace = 'public'::regnamespace) s
        cross join lateral (select (xpath('/row/m/text()', query_to_xml(format('select max(%I) as m from %I', s.attname, s.relname), false, true, '')))[1]::text::bigint as max) m
        where m.max is not null`.execute(tx);
    });
  } finally {
    await Promise.all([source.destroy(), target.destroy()]);
  }
  renameSync(folder, `${folder}.imported`);
  return copied;
}
