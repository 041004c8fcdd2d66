import { sql, type Kysely } from "kysely";

/**
 * Fewer statements on the write path (issue 15). Folder creation in one statement (core/files/create-folder.ts): the user's tree lock, the parent
 * check, the insert and its outbox event were seven round trips inside a transaction, and every one
 * of them was spent holding the user's lock, so a user's creates queued behind each other's round
 * trips through the app's event loop. Here the lock is held for the function's own run and its commit.
 *
 * The steps are those of the transaction it replaces, in its order (lockUserTree first, then the
 * parent, which must be an active folder of the user): each statement of a PL/pgSQL function takes a
 * fresh snapshot, so the parent is read after the lock is held, as before. No parent row: no rows.
 * A name taken among the active siblings raises unique_violation (23505), as the insert did.
 * The parent is given by identity or by id (Polaris-IO's numeric ids), null for the root; its
 * identity is answered as stored.
 *
 * And a lease column on the outbox, so that publishing after a request claims and marks its rows in
 * two statements instead of a transaction of five (core/outbox/publish-pending.ts).
 */
export const migration0012WriteStatements = {
  async up(db: Kysely<any>) {
    await sql`create function polaris_create_folder(p_owner bigint, p_parent_identity uuid, p_parent bigint, p_identity uuid, p_name text)
      returns table (id bigint, identity uuid, name text, ext text, size bigint, is_dir boolean, mime_type text,
        created_at timestamptz, updated_at timestamptz, parent_identity uuid)
      language plpgsql volatile as $$
      #variable_conflict use_column
      declare
        v_parent bigint := 0;
        v_parent_identity uuid;
        v_created files%rowtype;
      begin
        perform 1 from users u where u.id = p_owner for update;
        if p_parent_identity is not null or coalesce(p_parent, 0) <> 0 then
          select f.id, f.identity into v_parent, v_parent_identity from files f
            where f.user_id = p_owner and f.is_dir and f.status = 'active'
              and (case when p_parent_identity is not null then f.identity = p_parent_identity else f.id = p_parent end);
          if not found then return; end if;
        end if;
        insert into files (identity, user_id, parent_id, name, ext, is_dir)
          values (p_identity, p_owner, v_parent, p_name, '', true) returning * into v_created;
        insert into outbox (type, payload)
          values ('file.created', jsonb_build_object('userId', p_owner, 'fileIds', jsonb_build_array(v_created.id), 'subtree', false));
        return query select v_created.id, v_created.identity, v_created.name, v_created.ext, v_created.size, v_created.is_dir,
          v_created.mime_type, v_created.created_at, v_created.updated_at, v_parent_identity;
      end $$`.execute(db);
    // A publisher's lease on the rows it is publishing (core/outbox/publish-pending.ts).
    await sql`alter table outbox add column claimed_until timestamptz`.execute(db);
  },
};
