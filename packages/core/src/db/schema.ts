import type { ColumnType, Generated, Kysely, Selectable } from "kysely";

export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in by default. */
export type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UsersTable {
  id: Generated<number>;
  mobile: string;
  name: string;
  avatar: Generated<string>;
  info: Generated<string>;
  password_hash: string;
  quota_total: number;
  quota_used: Generated<number>;
  quota_reserved: Generated<number>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface IdempotencyTable {
  scope: string;
  key: string;
  request_hash: string;
  status: "in_progress" | "done";
  response: string | null;
  expires_at: Timestamp;
  created_at: DefaultTimestamp;
}

export interface Database {
  users: UsersTable;
  idempotency_keys: IdempotencyTable;
}

export type Db = Kysely<Database>;
export type User = Selectable<UsersTable>;
