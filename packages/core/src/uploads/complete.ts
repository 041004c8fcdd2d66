import type { CoreDeps } from "../deps";
import type { UploadRow } from "../db/schema";
import { lockUserTree, resolveFolderId } from "../files/tree";
import { place, placement } from "../files/versions/place";
import { schedulePrune } from "../files/versions/shared";
import { settleReservation } from "../quota";
import { closeUpload } from "./shared";
import { addBlobReferences } from "../blobs";

export type CompletionResult =
  | { status: "completed"; fileId: number /** Set when this call did the completion: the bytes it added. */; uploadedBytes?: number }
  | { status: "failed" | "aborted" | "expired" | "conflict" }
  | { status: "missing" }
  | { status: "unknown" };

const settled = (upload: UploadRow): CompletionResult =>
  upload.status === "completed" ? { status: "completed", fileId: upload.file_id! } : { status: upload.status as "failed" };

/** Where a blob's bytes live: a key no presigned URL ever names, unique per upload so a late delete of a purged blob's object cannot hit a newer one. */
export const blobObjectKey = (sha256: string, uploadKey: string) => `blobs/${sha256}/${uploadKey}`;

/** Whether the object holds the upload's bytes: its size, and its SHA-256 from the store's verified checksum or by streaming it. */
async function checkContent(deps: CoreDeps, key: string, upload: UploadRow): Promise<"ok" | "mismatch" | "missing"> {
  const stored = await deps.storage.head(key);
  if (!stored) return "missing";
  if (stored.size !== upload.size) return "mismatch";
  if (stored.sha256Base64) return stored.sha256Base64 === Buffer.from(upload.sha256, "hex").toString("base64") ? "ok" : "mismatch";
  const computed = await deps.storage.sha256(key);
  if (computed === null) return "missing";
  return computed === upload.sha256 ? "ok" : "mismatch";
}

/** Deletes those of `keys` that are not the object of the content's blob (an upload's own key, a losing copy). */
async function discardUnreferenced(deps: CoreDeps, sha256: string, keys: string[]) {
  const blob = await deps.db.selectFrom("blobs").select("object_key").where("sha256", "=", sha256).executeTakeFirst();
  const garbage = [...new Set(keys)].filter((key) => key !== blob?.object_key);
  if (garbage.length) await deps.storage.delete(garbage);
}

/**
 * Finishes an upload whose object has landed: checks size and SHA-256 against the declaration,
 * links the content into the blob store (deduplicated), creates the file and turns the reservation
 * into usage. Driven by the storage notification and by the client's callback; whichever comes
 * second, and any duplicate, finds the work done and changes nothing.
 *
 * Stored content is immutable: new content is first copied by the store to a key of its own that
 * no URL names, and it is that copy which is verified and becomes the blob, so bytes PUT later
 * through the upload's URL (still valid until it expires) can change nothing anyone reads; they
 * are deleted when their notification arrives.
 */
export async function completeUpload(deps: CoreDeps, objectKey: string): Promise<CompletionResult> {
  const upload = await deps.db.selectFrom("uploads").selectAll().where("object_key", "=", objectKey).executeTakeFirst();
  if (!upload) return { status: "unknown" };
  if (upload.status !== "pending") {
    await discardUnreferenced(deps, upload.sha256, [objectKey]);
    return settled(upload);
  }
  const reread = () => deps.db.selectFrom("uploads").selectAll().where("id", "=", upload.id).executeTakeFirstOrThrow();
  // Gone: not uploaded yet, or a concurrent completion of this upload has consumed it.
  const whenMissing = async (): Promise<CompletionResult> => {
    const now = await reread();
    return now.status === "pending" ? { status: "missing" } : settled(now);
  };

  const known = await deps.db
    .selectFrom("blobs")
    .select("object_key")
    .where("sha256", "=", upload.sha256)
    .where("ref_count", ">", 0)
    .executeTakeFirst();
  // Known content only needs the proof that the uploader had the bytes; new content is copied first.
  const contentKey = known ? objectKey : blobObjectKey(upload.sha256, upload.upload_key);
  if (!known && !(await deps.storage.copy(objectKey, contentKey))) return whenMissing();
  const content = await checkContent(deps, contentKey, upload);
  if (content === "missing") return whenMissing();
  if (content === "mismatch") {
    await closeUpload(deps, upload.id, "failed");
    await discardUnreferenced(deps, upload.sha256, [objectKey, contentKey]);
    return settled(await reread());
  }

  let versioned: string | null = null;
  const result = await deps.db.transaction().execute(async (trx): Promise<CompletionResult | "blob-gone" | "conflict"> => {
    const current = await trx.selectFrom("uploads").selectAll().where("id", "=", upload.id).forUpdate().executeTakeFirstOrThrow();
    if (current.status !== "pending") return settled(current);
    // The tree lock before the blob row, in the order purges take them (no deadlock), and so the
    // folder cannot go to the recycle bin between its check and the insert.
    await lockUserTree(trx, upload.user_id);
    // The folder may have been trashed meanwhile: the file then lands in the root, never lost.
    const parentId = await resolveFolderId(trx, upload.user_id, upload.parent_id);
    const target = await placement(trx, upload.user_id, parentId, upload.name, upload.on_conflict);
    if (target.kind === "conflict") return "conflict";
    if (known) {
      // Its last reference was purged since the check: complete again as new content.
      if (!(await addBlobReferences(trx, upload.sha256, 1))) return "blob-gone";
    } else {
      await trx
        .insertInto("blobs")
        .values({ sha256: upload.sha256, size: upload.size, object_key: contentKey, ref_count: 1 })
        .onConflict((oc) => oc.column("sha256").doUpdateSet((eb) => ({ ref_count: eb("blobs.ref_count", "+", 1) })))
        .execute();
    }
    const content = { sha256: upload.sha256, size: upload.size, mimeType: upload.mime_type };
    const fileId = await place(trx, upload.user_id, parentId, target, content, deps.clock.now());
    await settleReservation(trx, upload.user_id, current.reserved, upload.size);
    await trx
      .updateTable("uploads")
      .set({ status: "completed", file_id: fileId, updated_at: deps.clock.now() })
      .where("id", "=", upload.id)
      .execute();
    if (target.kind === "version") versioned = target.file.identity;
    return { status: "completed", fileId, uploadedBytes: upload.size };
  });
  if (result === "blob-gone") return completeUpload(deps, objectKey);
  if (result === "conflict") {
    // onConflict "fail" and the name was taken since the presign: nothing was linked.
    await closeUpload(deps, upload.id, "conflict");
    await discardUnreferenced(deps, upload.sha256, [objectKey, contentKey]);
    return settled(await reread());
  }
  if (versioned) await schedulePrune(deps, versioned);
  // The upload's own object, and a copy that lost to a concurrent one of the same content, go.
  await discardUnreferenced(deps, upload.sha256, [objectKey, contentKey]);
  await deps.scheduler.cancel(`upload-expire-${upload.upload_key}`);
  return result;
}
