import type { CoreDeps } from "../deps";
import type { UploadRow } from "../db/schema";
import { recordEvent } from "../events";
import { extensionOf } from "../files/names";
import { freeName, lockUserTree, resolveFolderId } from "../files/tree";
import { settleReservation } from "../quota";
import { closeUpload } from "./shared";

export type CompletionResult =
  | { status: "completed"; fileId: number; /** Set when this call did the completion: the bytes it added. */ uploadedBytes?: number }
  | { status: "failed" | "aborted" | "expired" }
  | { status: "missing" }
  | { status: "unknown" };

const settled = (upload: UploadRow): CompletionResult =>
  upload.status === "completed" ? { status: "completed", fileId: upload.file_id! } : { status: upload.status as "failed" };

/**
 * Finishes an upload whose object has landed: checks size and SHA-256 against the declaration,
 * links the content into the blob store (deduplicated), creates the file and turns the reservation
 * into usage. Driven by the storage notification and by the client's callback; whichever comes
 * second, and any duplicate, finds the work done and changes nothing.
 */
export async function completeUpload(deps: CoreDeps, objectKey: string): Promise<CompletionResult> {
  const upload = await deps.db.selectFrom("uploads").selectAll().where("object_key", "=", objectKey).executeTakeFirst();
  if (!upload) return { status: "unknown" };
  if (upload.status !== "pending") return settled(upload);

  const stored = await deps.storage.head(objectKey);
  const computed = stored && !stored.sha256Base64 ? await deps.storage.sha256(objectKey) : undefined;
  if (!stored || computed === null) {
    // Gone: not uploaded yet, or a concurrent completion of this upload (the notification or the
    // callback) found the content known and removed this redundant copy.
    const now = await deps.db.selectFrom("uploads").selectAll().where("id", "=", upload.id).executeTakeFirstOrThrow();
    return now.status === "pending" ? { status: "missing" } : settled(now);
  }
  const declaredBase64 = Buffer.from(upload.sha256, "hex").toString("base64");
  const matches = stored.size === upload.size && (stored.sha256Base64 ? stored.sha256Base64 === declaredBase64 : computed === upload.sha256);
  if (!matches) {
    await closeUpload(deps, upload.id, "failed");
    const now = await deps.db.selectFrom("uploads").selectAll().where("id", "=", upload.id).executeTakeFirstOrThrow();
    return settled(now);
  }

  const outcome = await deps.db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom("uploads").selectAll().where("id", "=", upload.id).forUpdate().executeTakeFirstOrThrow();
    if (current.status !== "pending") return { result: settled(current), redundantObject: false };
    // The tree lock before the blob row, in the order purges take them (no deadlock), and so the
    // folder cannot go to the recycle bin between its check and the insert.
    await lockUserTree(trx, upload.user_id);
    const blob = await trx
      .insertInto("blobs")
      .values({ sha256: upload.sha256, size: upload.size, object_key: objectKey, ref_count: 1 })
      .onConflict((oc) => oc.column("sha256").doUpdateSet((eb) => ({ ref_count: eb("blobs.ref_count", "+", 1) })))
      .returning("object_key")
      .executeTakeFirstOrThrow();
    // The folder may have been trashed meanwhile: the file then lands in the root, never lost.
    const parentId = await resolveFolderId(trx, upload.user_id, upload.parent_id);
    const name = await freeName(trx, upload.user_id, parentId, upload.name, false);
    const { id: fileId } = await trx
      .insertInto("files")
      .values({
        identity: crypto.randomUUID(), user_id: upload.user_id, parent_id: parentId, name, ext: extensionOf(name, false),
        is_dir: false, size: upload.size, blob_sha256: upload.sha256, mime_type: upload.mime_type,
        trash_batch: null, trashed_at: null, purge_at: null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await settleReservation(trx, upload.user_id, current.reserved, upload.size);
    await trx.updateTable("uploads").set({ status: "completed", file_id: fileId, updated_at: deps.clock.now() }).where("id", "=", upload.id).execute();
    await recordEvent(trx, "file.created", { userId: upload.user_id, fileIds: [fileId], subtree: false });
    return { result: { status: "completed", fileId, uploadedBytes: upload.size } as CompletionResult, redundantObject: blob.object_key !== objectKey };
  });
  // Known content: the blob already had its object, so this copy of the bytes goes.
  if (outcome.redundantObject) await deps.storage.delete([objectKey]);
  await deps.scheduler.cancel(`upload-expire-${upload.upload_key}`);
  return outcome.result;
}
