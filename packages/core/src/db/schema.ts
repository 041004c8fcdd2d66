import type { ColumnType, Generated, Kysely, Selectable } from "kysely";
import type { OnConflict } from "@polaris/contract";

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
  role: Generated<UserRole>;
  /** Set while the account is disabled: its tokens are refused and its shares closed. */
  disabled_at: Date | null;
  /** Access tokens carry the version they were issued at; raising it revokes them all. */
  token_version: Generated<number>;
  last_login_at: Date | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export type UserRole = "user" | "admin";

export interface RevokedTokensTable {
  jti: string;
  user_id: number;
  expires_at: Timestamp;
}

export interface AdminAuditTable {
  id: Generated<number>;
  actor_id: number;
  action: string;
  target: string;
  detail: Generated<string>;
  created_at: DefaultTimestamp;
}

export interface UploadDaysTable {
  user_id: number;
  day: ColumnType<string, string, string>;
  instant: Generated<number>;
  uploaded: Generated<number>;
}

export interface IdempotencyTable {
  scope: string;
  key: string;
  request_hash: string;
  status: "in_progress" | "done";
  response: string | null;
  /** Names the claim that holds the key; in progress, `expires_at` is the end of its lease. */
  lease: string | null;
  expires_at: Timestamp;
  created_at: DefaultTimestamp;
}

export interface BlobsTable {
  sha256: string;
  size: number;
  object_key: string;
  ref_count: number;
  created_at: DefaultTimestamp;
}

/** A content's thumbnail (`thumbnails/<sha256>.webp`), one per content whoever holds it. */
export interface ThumbnailsTable {
  sha256: string;
  width: number;
  height: number;
  created_at: DefaultTimestamp;
}

export type FileStatus = "active" | "trashed" | "purged";

export interface FilesTable {
  id: Generated<number>;
  identity: string;
  user_id: number;
  parent_id: number;
  name: string;
  ext: string;
  is_dir: boolean;
  size: Generated<number>;
  blob_sha256: string | null;
  mime_type: Generated<string>;
  status: ColumnType<FileStatus, FileStatus | undefined, FileStatus>;
  trash_batch: string | null;
  trash_root: Generated<boolean>;
  trashed_at: Date | null;
  purge_at: Date | null;
  version: Generated<number>;
  /** The current version's identity (file_versions keeps it when the version is replaced). */
  version_identity: Generated<string>;
  /** When the current content was uploaded or restored, and by whom; null: at creation, by the owner. */
  version_at: Date | null;
  version_by: number | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

/** A previous version of a file: one blob reference and its size in the owner's quota. */
export interface FileVersionsTable {
  id: Generated<number>;
  identity: string;
  file_id: number;
  user_id: number;
  blob_sha256: string;
  size: number;
  mime_type: string;
  uploaded_by: number | null;
  created_at: Timestamp;
  replaced_at: DefaultTimestamp;
}

export type UploadStatus = "pending" | "completed" | "failed" | "aborted" | "expired" | "conflict";

export interface UploadsTable {
  id: Generated<number>;
  upload_key: string;
  user_id: number;
  sha256: string;
  size: number;
  parent_id: number;
  name: string;
  mime_type: string;
  object_key: string;
  multipart_upload_id: string | null;
  part_size: number | null;
  reserved: number;
  on_conflict: ColumnType<OnConflict, OnConflict | undefined, OnConflict>;
  status: ColumnType<UploadStatus, UploadStatus | undefined, UploadStatus>;
  file_id: number | null;
  expires_at: Timestamp;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface UploadChallengesTable {
  id: Generated<number>;
  user_id: number;
  sha256: string;
  size: number;
  offset: number;
  length: number;
  nonce: string;
  expires_at: Timestamp;
}

export interface ScheduledJobsTable {
  name: string;
  type: string;
  payload: ColumnType<unknown, string, string>;
  run_at: Timestamp;
  attempts: Generated<number>;
  last_error: string | null;
}

/** 0 normal, 1 banned, 2 cancelled, 3 expired. */
export type ShareStatus = 0 | 1 | 2 | 3;

export interface SharesTable {
  id: Generated<number>;
  identity: string;
  user_id: number;
  file_id: number;
  code: string | null;
  code_version: Generated<number>;
  /** -1: `expired_at` is a date the owner picked. */
  expired_type: -1 | 0 | 1 | 7 | 30;
  expired_at: Date | null;
  click_num: Generated<number>;
  save_num: Generated<number>;
  status: ColumnType<ShareStatus, ShareStatus | undefined, ShareStatus>;
  /** Download URLs (and zips) given out, and the count at which the link closes (null: no limit). */
  download_num: Generated<number>;
  download_limit: number | null;
  /** Visitors' views are `click_num`; the count at which the link closes. */
  view_limit: number | null;
  /** Detail and preview only: no download, save or zip. */
  preview_only: Generated<boolean>;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface OutboxTable {
  id: Generated<number>;
  type: string;
  payload: ColumnType<unknown, string, string>;
  created_at: DefaultTimestamp;
  sent_at: Date | null;
  /** A publisher's lease on the row while it publishes it. */
  claimed_until: Generated<Date | null>;
}

export interface FolderCountsTable {
  user_id: number;
  parent_id: number;
  active_children: number;
}

export type ZipStatus = "pending" | "running" | "done" | "failed" | "expired";

export interface ZipJobsTable {
  id: Generated<number>;
  identity: string;
  /** Who asked (a signed-in user), or the share whose visitors may follow the job. */
  user_id: number | null;
  share_id: number | null;
  /** Whose files the zip packs. */
  owner_id: number;
  file_ids: number[];
  name: string;
  status: ColumnType<ZipStatus, ZipStatus | undefined, ZipStatus>;
  total_bytes: number;
  total_entries: number;
  done_bytes: Generated<number>;
  done_entries: Generated<number>;
  zip_bytes: number | null;
  object_key: string;
  upload_id: string | null;
  attempts: Generated<number>;
  error: string | null;
  expires_at: Date | null;
  created_at: DefaultTimestamp;
  updated_at: DefaultTimestamp;
}

export interface Database {
  users: UsersTable;
  idempotency_keys: IdempotencyTable;
  blobs: BlobsTable;
  thumbnails: ThumbnailsTable;
  files: FilesTable;
  file_versions: FileVersionsTable;
  folder_counts: FolderCountsTable;
  uploads: UploadsTable;
  upload_challenges: UploadChallengesTable;
  scheduled_jobs: ScheduledJobsTable;
  outbox: OutboxTable;
  shares: SharesTable;
  zip_jobs: ZipJobsTable;
  revoked_tokens: RevokedTokensTable;
  admin_audit: AdminAuditTable;
  upload_days: UploadDaysTable;
}

export type Db = Kysely<Database>;
export type User = Selectable<UsersTable>;
export type FileRow = Selectable<FilesTable>;
export type FileVersionRow = Selectable<FileVersionsTable>;
export type UploadRow = Selectable<UploadsTable>;
export type ShareRow = Selectable<SharesTable>;
export type ZipJobRow = Selectable<ZipJobsTable>;
