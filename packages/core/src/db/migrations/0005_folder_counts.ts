import { sql, type Kysely } from "kysely";

/**
 * Active children per folder, kept by statement-level triggers, so a listing's `total` is one row
 * read instead of a count over a folder of 100k entries. Transition tables make set-based tree
 * operations cost one grouped upsert per statement, not one per row.
 */
export const migration0005FolderCounts = {
  async up(db: Kysely<any>) {
    await sql`create table folder_counts (
      user_id bigint not null,
      parent_id bigint not null,
      active_children bigint not null default 0,
      primary key (user_id, parent_id)
    )`.execute(db);
    await sql`create function folder_counts_apply() returns trigger language plpgsql as $$
      begin
        if tg_op = 'INSERT' then
          insert into folder_counts (user_id, parent_id, active_children)
            select user_id, parent_id, count(*) from new_rows where status = 'active' group by user_id, parent_id
          on conflict (user_id, parent_id) do update set active_children = folder_counts.active_children + excluded.active_children;
        elsif tg_op = 'DELETE' then
          update folder_counts c set active_children = c.active_children - d.n
            from (select user_id, parent_id, count(*) as n from old_rows where status = 'active' group by user_id, parent_id) d
            where c.user_id = d.user_id and c.parent_id = d.parent_id;
        else
          insert into folder_counts (user_id, parent_id, active_children)
            select user_id, parent_id, sum(delta) from (
              select user_id, parent_id, 1 as delta from new_rows where status = 'active'
              union all
              select user_id, parent_id, -1 from old_rows where status = 'active'
            ) changes group by user_id, parent_id having sum(delta) <> 0
          on conflict (user_id, parent_id) do update set active_children = folder_counts.active_children + excluded.active_children;
        end if;
        return null;
      end $$`.execute(db);
    await sql`create trigger files_count_insert after insert on files referencing new table as new_rows
      for each statement execute function folder_counts_apply()`.execute(db);
    await sql`create trigger files_count_update after update on files referencing old table as old_rows new table as new_rows
      for each statement execute function folder_counts_apply()`.execute(db);
    await sql`create trigger files_count_delete after delete on files referencing old table as old_rows
      for each statement execute function folder_counts_apply()`.execute(db);
    await sql`insert into folder_counts (user_id, parent_id, active_children)
      select user_id, parent_id, count(*) from files where status = 'active' group by user_id, parent_id`.execute(db);
  },
};
