import { createHash, randomBytes, randomInt } from "node:crypto";
import { timingSafeEqual } from "node:crypto";
import type { BodyOf, fileRoutes } from "@polaris/contract";
import { addBlobReferences } from "../blobs";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { extensionOf, validName } from "../files/names";
import { loadFileItem, lockUserTree, resolveFolder } from "../files/tree";
import { place, placement } from "../files/versions/place";
import { schedulePrune } from "../files/versions/shared";
import { consumeQuota } from "../quota";
import { countInstantUpload } from "../admin/upload-days";

type InstantInput = BodyOf<typeof fileRoutes.uploadInstant>;

/**
 * Instant upload of content the store already holds. A hash alone proves nothing, so the first
 * call returns a single-use challenge over a random byte range, and only a correct proof links the
 * blob into the caller's drive.
 */
export async function instant(deps: CoreDeps, userId: number, input: InstantInput) {
  const name = validName(input.name);
  const blob = await deps.db
    .selectFrom("blobs")
    .select(["object_key", "size"])
    .where("sha256", "=", input.hash)
    .where("size", "=", input.size)
    .where("ref_count", ">", 0)
    .executeTakeFirst();
  if (!blob) return { exists: false as const };
  if (!input.proof) return { exists: true as const, challenge: await issueChallenge(deps, userId, input) };

  const challenge = await deps.db
    .deleteFrom("upload_challenges")
    .where("user_id", "=", userId)
    .where("sha256", "=", input.hash)
    .where("size", "=", input.size)
    .where("expires_at", ">", deps.clock.now())
    .returningAll()
    .executeTakeFirst();
  if (!challenge) return fail("PROOF_REQUIRED", "no live challenge for this content: ask again without a proof");
  const bytes = await deps.storage.readRange(blob.object_key, challenge.offset, challenge.length);
  // The last reference was purged since the check above: the content is no longer known.
  if (!bytes) return { exists: false as const };
  const expected = createHash("sha256").update(challenge.nonce, "utf8").update(bytes).digest();
  const given = Buffer.from(input.proof, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return fail("PROOF_REQUIRED");

  const linked = await deps.db.transaction().execute(async (trx) => {
    await lockUserTree(trx, userId);
    const parentId = await resolveFolder(trx, userId, input.parentId, "PARENT_NOT_FOUND");
    const target = await placement(trx, userId, parentId, name, input.onConflict);
    if (target.kind === "conflict") return fail("NAME_CONFLICT", target.reason);
    await consumeQuota(trx, userId, input.size);
    if (!(await addBlobReferences(trx, input.hash, 1))) return null;
    const content = { sha256: input.hash, size: input.size, mimeType: mimeFromName(target.kind === "new" ? target.name : name) };
    const id = await place(trx, userId, parentId, target, content, deps.clock.now());
    await countInstantUpload(trx, userId);
    return { id, versioned: target.kind === "version" ? target.file.identity : null };
  });
  // The last reference was purged between the check and the link: the client uploads normally.
  if (linked === null) return { exists: false as const };
  if (linked.versioned) await schedulePrune(deps, linked.versioned);
  const file = await loadFileItem(deps.db, linked.id);
  return { exists: true as const, identity: file.identity, file };
}

async function issueChallenge(deps: CoreDeps, userId: number, input: InstantInput) {
  const length = Math.min(input.size, deps.settings.files.proofBytes);
  const offset = randomInt(0, input.size - length + 1);
  const nonce = randomBytes(16).toString("hex");
  const expiresAt = new Date(deps.clock.now().getTime() + deps.settings.files.challengeTtlSeconds * 1000);
  await deps.db.transaction().execute(async (trx) => {
    // One live challenge per content and user: asking again replaces it.
    await trx.deleteFrom("upload_challenges").where("user_id", "=", userId).where("sha256", "=", input.hash).execute();
    await trx
      .insertInto("upload_challenges")
      .values({ user_id: userId, sha256: input.hash, size: input.size, offset, length, nonce, expires_at: expiresAt })
      .execute();
  });
  return { offset, length, nonce };
}

const mimeTypes: Record<string, string> = {
  txt: "text/plain",
  pdf: "application/pdf",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  mp4: "video/mp4",
  mp3: "audio/mpeg",
  zip: "application/zip",
  json: "application/json",
  html: "text/html",
  csv: "text/csv",
};
const mimeFromName = (name: string) => mimeTypes[extensionOf(name, false)] ?? "application/octet-stream";
