import { sql, type Kysely } from "kysely";

/**
 * Accounts and the administrator (issue 20):
 * - users gain a role, a disabled time, a token version (every access token carries the version it was
 *   issued at; raising it signs the user out everywhere) and the time of their last login;
 * - revoked_tokens holds single tokens signed out before their expiry (by `jti`), until then;
 * - admin_audit records every administrator action;
 * - upload_days counts completed uploads per user and UTC day, instant ones apart: the instant-upload
 *   rate over 30 days reads at most 30 rows per active user instead of scanning files or uploads. One
 *   row per user and day, raised in the transaction that completes an upload, which holds the user's
 *   tree lock: no row is contended across users (no hot counter).
 */
export const migration0008Accounts = {
  async up(db: Kysely<any>) {
    await sql`alter table users
      add column role text not null default 'user' check (role in ('user', 'admin')),
      add column disabled_at timestamptz,
      add column token_version integer not null default 0,
      add column last_login_at timestamptz`.execute(db);
    await sql`create table revoked_tokens (
      jti uuid primary key,
      user_id bigint not null,
      expires_at timestamptz not null
    )`.execute(db);
    await sql`create index revoked_tokens_expires on revoked_tokens (expires_at)`.execute(db);
    await sql`create table admin_audit (
      id bigint generated always as identity primary key,
      actor_id bigint not null,
      action text not null,
      target text not null,
      detail text not null default '',
      created_at timestamptz not null default now()
    )`.execute(db);
    await sql`create table upload_days (
      user_id bigint not null,
      day date not null,
      instant integer not null default 0,
      uploaded integer not null default 0,
      primary key (user_id, day)
    )`.execute(db);
    await sql`create index upload_days_day on upload_days (day)`.execute(db);
    // An upload that sent its bytes is counted by the statement that completes it, whatever path
    // completes it (notification, callback, multipart); instant uploads count themselves (countUpload).
    await sql`create function upload_days_completed() returns trigger language plpgsql as $$
      begin
        insert into upload_days (user_id, day, uploaded) values (new.user_id, (now() at time zone 'utc')::date, 1)
        on conflict (user_id, day) do update set uploaded = upload_days.uploaded + 1;
        return null;
      end $$`.execute(db);
    await sql`create trigger uploads_completed_count after update of status on uploads for each row
      when (new.status = 'completed' and old.status is distinct from 'completed') execute function upload_days_completed()`.execute(db);
  },
};
