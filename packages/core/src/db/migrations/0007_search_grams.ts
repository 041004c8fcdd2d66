import { sql, type Kysely } from "kysely";

/**
 * An infix index for SQL search: every character and every pair of adjacent characters of the lowered
 * name, keyed by owner ("7:报告"), in a GIN index. A keyword's pairs (its one character, if it has one)
 * must all be there, then `lower(name) like` checks the candidates, so the results are those of the
 * scan the index replaces. Pairs rather than pg_trgm's trigrams: a trigram index cannot serve the one-
 * and two-character keywords Chinese searches mostly are (报告 scanned the user's 100,000 names), and
 * needs no extension on PGlite, PostgreSQL or Aurora. Keyed by owner: a user's posting lists hold only
 * their own names, however big the other drives on the server are.
 */
export const migration0007SearchGrams = {
  async up(db: Kysely<any>) {
    // plpgsql: a loop is ~3× faster here than the set-returning SQL forms (index build and every write).
    // Immutable as lower() is: both follow the database's fixed ctype.
    await sql`create function search_grams(owner bigint, name text) returns text[]
      language plpgsql immutable strict parallel safe as $$
      declare
        s text := lower(name);
        n int := length(s);
        p text := owner || ':';
        grams text[] := '{}';
      begin
        for i in 1..n loop
          grams := grams || (p || substr(s, i, 1));
          if i < n then grams := grams || (p || substr(s, i, 2)); end if;
        end loop;
        return grams;
      end $$`.execute(db);
    await sql`create function search_keyword_grams(owner bigint, keyword text) returns text[]
      language plpgsql immutable strict parallel safe as $$
      declare
        s text := lower(keyword);
        n int := length(s);
        p text := owner || ':';
        grams text[] := '{}';
      begin
        if n = 1 then return array[p || s]; end if;
        for i in 1..n - 1 loop
          grams := grams || (p || substr(s, i, 2));
        end loop;
        return grams;
      end $$`.execute(db);
    // Every search reads the whole pending list of entries not yet merged, and PGlite has no autovacuum
    // to merge it: at the 4 MB default a 100,000-file drive's search went from 55 to 170-210 ms after
    // 10,000 inserts. 256 kB keeps writes batched (one merge per ~1,000 new names) and searches bounded.
    await sql`create index files_search_grams on files using gin (search_grams(user_id, name))
      with (gin_pending_list_limit = 256) where status = 'active'`.execute(db);
  },
};
