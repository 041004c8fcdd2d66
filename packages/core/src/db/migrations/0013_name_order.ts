import { sql, type Kysely } from "kysely";

/**
 * Name order as people expect it: case-insensitive and natural ("file2" before "file10"), Latin before Chinese, and Chinese
 * names in pinyin order where the server has ICU's Chinese data (PostgreSQL, Aurora), else in
 * Unicode's radical-stroke order (PGlite ships ICU's root data only, and a server built without ICU
 * gets a copy of "C"). The key lower-cases the name and pads every run of digits to 20 places, so one
 * expression sorts the same under either collation; an index on it serves the keyset pages. An
 * expression index rather than a stored column: nothing changes for the code that writes names, nor
 * for the PGlite import (which copies whole rows).
 */
export const migration0013NameOrder = {
  async up(db: Kysely<any>) {
    await sql`create function polaris_name_key(name text) returns text language sql immutable strict parallel safe as $$
      select regexp_replace(regexp_replace(lower(name), '[0-9]+', '00000000000000000000\\&', 'g'), '0*([0-9]{20})', '\\1', 'g')
    $$`.execute(db);
    const icu = await sql<{ n: number }>`select count(*)::int as n from pg_collation where collprovider = 'i'`.execute(db);
    if (icu.rows[0].n > 0) await sql`create collation polaris_name (provider = icu, locale = 'zh-u-kr-latn-hani')`.execute(db);
    else await sql`create collation polaris_name from "C"`.execute(db);
    await sql`create index files_list_natural on files (user_id, parent_id, is_dir desc, (polaris_name_key(name)) collate polaris_name, id)
      where status = 'active'`.execute(db);
    // Listing by name was this index's only reader; sibling lookups by exact name use files_active_sibling_name.
    await sql`drop index files_list_name`.execute(db);
  },
};
