import type { CoreDeps } from "../../deps";
import { fail } from "../../errors";
import { currentVersion, previousVersion, uploaderNames } from "./shared";

/** A file's versions: the current one first, then the previous ones newest first. */
export async function listVersions(deps: CoreDeps, userId: number, identity: string) {
  const file = await deps.db
    .selectFrom("files")
    .selectAll()
    .where("identity", "=", identity)
    .where("user_id", "=", userId)
    .where("status", "=", "active")
    .where("is_dir", "=", false)
    .executeTakeFirst();
  if (!file) return fail("FILE_NOT_FOUND");
  const previous = await deps.db
    .selectFrom("file_versions")
    .selectAll()
    .where("file_id", "=", file.id)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .execute();
  const names = await uploaderNames(deps.db, [file.version_by ?? file.user_id, ...previous.map((v) => v.uploaded_by ?? v.user_id)]);
  return {
    list: [currentVersion(file, names), ...previous.map((v) => previousVersion(v, names))],
  };
}
