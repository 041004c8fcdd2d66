/** What the domain needs from the outside world; adapters implement these per profile. */
import { DomainError } from "./errors";

export interface Clock {
  now(): Date;
}

/**
 * Fixed-window attempt counters (DynamoDB items with TTL on AWS, memory in the embedded profile).
 * An attempt is taken before the work it guards (a password or code check), in one atomic step, so
 * parallel requests cannot all pass a count read before any of them is counted.
 */
export interface RateLimiter {
  /** Takes one of `limit` attempts of the key's window; false (nothing taken) when all are taken. A window ends `windowSeconds` after its first attempt. */
  take(key: string, limit: number, windowSeconds: number): Promise<boolean>;
  /** Returns one attempt taken in the current window (one that must not count, e.g. a success). */
  giveBack(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

/** What a current access token says: whose it is, the user's token version it was issued at, its id (none on tokens from before ids) and expiry. */
export interface AccessClaims {
  userId: number;
  tokenVersion: number;
  jti?: string;
  exp: number;
}

export interface AccessTokens {
  /** `tokenVersion`: the user's current one; raising it later revokes the token (sign out everywhere). */
  issue(userId: number, tokenVersion?: number): Promise<{ accessToken: string; accessExpire: number; refreshAfter: number }>;
  /** The user id, or null for any token that is not ours and current (the signature and expiry only: no revocation). */
  verify(token: string): Promise<number | null>;
  /** The claims of a token that is ours and current, or null. */
  inspect(token: string): Promise<AccessClaims | null>;
}

/**
 * Short-lived tokens scoped to one share, issued once a visitor passed the code. `codeVersion` ties a
 * token to the share's code at the time: a new code revokes the tokens issued for the old one.
 */
export interface ShareTokens {
  issue(shareIdentity: string, codeVersion: number): Promise<{ shareToken: string; expiresAt: number }>;
  /** The code version the token was issued for, or null unless it is current and for this share. */
  verify(token: string, shareIdentity: string): Promise<number | null>;
}

export type IdempotencyRecord = { status: "in_progress"; requestHash: string } | { status: "done"; requestHash: string; response: string };

/** The key is ours (`lease` names this claim for complete and release), or someone else's record. */
export type IdempotencyClaim = { claimed: true; lease: string } | { claimed: false; record: IdempotencyRecord };

/** A claim that found the key held: the record as a store keeps it (status, request hash, response once done). */
export const heldClaim = (status: string, requestHash: string, response: string | null | undefined): IdempotencyClaim => ({
  claimed: false,
  record: status === "done" ? { status: "done", requestHash, response: response ?? "" } : { status: "in_progress", requestHash },
});

/**
 * Remembers the first result of a mutating request by (scope, key). A claim in progress holds for a
 * lease only: past it the request that claimed the key is taken to have died (a crash, a timeout),
 * and the next claim takes the key over, so a client's retry runs instead of waiting for the TTL.
 */
export interface IdempotencyStore {
  /** Claims the key for `leaseSeconds`, taking over a record past its lease (in progress) or its TTL (done). */
  claim(scope: string, key: string, requestHash: string, leaseSeconds: number): Promise<IdempotencyClaim>;
  /** Stores the response for `ttlSeconds`, if the claim `lease` still holds the key (not taken over meanwhile). */
  complete(scope: string, key: string, lease: string, response: string, ttlSeconds: number): Promise<void>;
  /** Frees the key after a failure so a retry can run, if the claim `lease` still holds it. */
  release(scope: string, key: string, lease: string): Promise<void>;
}

/**
 * What every ObjectStorage method throws when the store cannot serve now: unreachable, timed out,
 * throttling, failing (5xx), or missing a part it had just listed. A business error (502 300020), so
 * the request fails cleanly and the client may retry; the store's own error is its `cause`.
 */
export class StorageUnavailableError extends DomainError {
  constructor(
    reason: string,
    override readonly cause?: unknown,
  ) {
    super("STORAGE_UNAVAILABLE", `storage service unavailable: ${reason}; try again later`);
  }
}

export interface StoredObject {
  size: number;
  /** Base64 SHA-256 of the whole object, when the store computed or verified it (never a checksum it merely stored). */
  sha256Base64?: string;
}

/** The object store (S3 or any S3-compatible server). Presigned URLs let clients move the bytes. */
export interface ObjectStorage {
  presignPut(
    key: string,
    /** Without sha256Base64 no checksum is signed; without contentType, no content type (a Polaris-IO client's PUT). */
    options: { size: number; sha256Base64?: string; contentType?: string; expiresInSeconds: number },
  ): Promise<{ url: string; headers: Record<string, string> }>;
  createMultipart(key: string, contentType: string): Promise<string>;
  presignPart(key: string, uploadId: string, partNumber: number, expiresInSeconds: number): Promise<string>;
  /** Parts stored so far; null when the multipart upload no longer exists. */
  listParts(key: string, uploadId: string): Promise<{ partNumber: number; etag: string; size: number }[] | null>;
  /** "missing": the multipart upload no longer exists (completed or aborted meanwhile); "rejected": the store refused the parts. */
  completeMultipart(
    key: string,
    uploadId: string,
    parts: { partNumber: number; etag: string }[],
  ): Promise<"completed" | "missing" | "rejected">;
  abortMultipart(key: string, uploadId: string): Promise<void>;
  /** Uploads one part of a multipart upload from this process (a zip job writes its output so); returns the part's ETag. */
  uploadPart(key: string, uploadId: string, partNumber: number, body: Uint8Array): Promise<string>;
  head(key: string): Promise<StoredObject | null>;
  /** Server-side copy (no bytes through this process); false when the source is gone. */
  copy(sourceKey: string, targetKey: string): Promise<boolean>;
  /** Streams the object through SHA-256 (hex) without holding it in memory; null when the object is gone. */
  sha256(key: string): Promise<string | null>;
  /** The object's bytes as they arrive, never all in memory; null when the object is gone. */
  readStream(key: string): Promise<AsyncIterable<Uint8Array> | null>;
  /** Null when the object is gone (its last reference was purged meanwhile). */
  readRange(key: string, offset: number, length: number): Promise<Uint8Array | null>;
  /**
   * A GET URL answering with `contentType`, as an attachment unless `inline` (only for types that run
   * no script: previews and thumbnails). `signedAt` fixes the signature's time, so a URL of the same
   * key is the same within a window (browsers cache it; the signing is skipped).
   */
  presignGet(
    key: string,
    options: { fileName: string; contentType: string; expiresInSeconds: number; inline?: boolean; signedAt?: Date },
  ): Promise<string>;
  /** Writes a small object in one request (a thumbnail). */
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  delete(keys: string[]): Promise<void>;
}

/** Decodes an image and draws its thumbnail (sharp); null when the bytes are no image it can read. */
export interface ImageThumbnailer {
  thumbnail(image: Uint8Array, maxSide: number): Promise<{ webp: Uint8Array; width: number; height: number } | null>;
}

export type JobType = import("@polaris/contract").JobName;

export interface Job {
  /** Unique per target: scheduling the same name again replaces the earlier time. */
  name: string;
  type: JobType;
  payload: Record<string, unknown>;
  runAt: Date;
}

/** One-time delayed work (EventBridge Scheduler on AWS, a jobs table locally). Jobs re-check state when they run. */
export interface Scheduler {
  schedule(job: Job): Promise<void>;
  cancel(name: string): Promise<void>;
}

/** An outbox row on its way to the bus. */
export interface OutboxEvent {
  id: number;
  type: string;
  payload: Record<string, unknown>;
  time: Date;
}

/** Where domain events go after commit (EventBridge on AWS, in-process dispatch in the embedded profile). */
export interface EventBus {
  /** Returns the ids the bus did not accept: they stay unsent and are published again later. */
  publish(events: OutboxEvent[]): Promise<{ failed: number[] }>;
}

export interface SearchQuery {
  keyword?: string;
  exts: string[];
  isDir?: boolean;
  minSize?: number;
  maxSize?: number;
  /** Only items below this folder, at any depth. */
  folderId?: number;
  sortBy: import("@polaris/contract").SearchSort;
  sortDesc: boolean;
  offset: number;
  limit: number;
}

/** Finds a user's active items by name (SQL over the files table, or OpenSearch); the caller loads the rows. */
export interface SearchEngine {
  /** Ids of the matching items in result order, and how many match in all. */
  search(userId: number, query: SearchQuery): Promise<{ total: number; ids: number[] }>;
  stats(userId: number): Promise<import("@polaris/contract").SearchStats>;
}

/** One file row as a search index holds it. */
export interface SearchDocument {
  id: number;
  identity: string;
  userId: number;
  parentId: number;
  /** "0" for the root. */
  parentIdentity: string;
  /** Folder ids from the root down to the parent: what "below this folder" filters on. */
  ancestors: number[];
  /** The parent folder's path: "/" or "/Docs/2025". */
  path: string;
  name: string;
  ext: string;
  size: number;
  isDir: boolean;
  mimeType: string;
  status: "active" | "trashed" | "purged";
  createdAt: Date;
  updatedAt: Date;
  /** The row's version: an index keeps a document only while no newer version of it arrived. */
  version: number;
}

/**
 * A separate index kept in step with the files table (OpenSearch); none when search reads the table
 * itself. Wide enough for the indexer and for rebuilding from the database (Search.reindex).
 */
export interface SearchIndex {
  /** What readers and writers address (an alias: the index behind it changes on a rebuild). */
  readonly name: string;
  /** Writes active and trashed documents and removes purged ones; a document older than the indexed one changes nothing. */
  write(docs: SearchDocument[]): Promise<void>;
  /** Writes documents in place even at an equal version, so a damaged document is repaired. */
  repair(docs: SearchDocument[]): Promise<void>;
  /** Removes documents whatever their version: for ids the database does not know at all. */
  remove(userId: number, ids: number[]): Promise<void>;
  /** Ids of every document of the user in the index (active, trashed, or stale). */
  documentIds(userId: number): Promise<number[]>;
  /** Fills a fresh index from the batches, then swaps it in for readers and writers in one step. */
  rebuild(batches: AsyncIterable<SearchDocument[]>): Promise<{ index: string; count: number }>;
  /** Makes everything written so far searchable (tests, benchmarks; the index catches up by itself within a second). */
  refresh(): Promise<void>;
}
