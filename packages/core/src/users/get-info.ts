import { sql } from "kysely";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { presignedDownload } from "../files/download";
import { toUnixSeconds } from "../time";

/**
 * The signed-in user's profile. `avatar` is a presigned URL of the image file the user chose (a file of
 * their drive), "" when none is set or that file is no longer active in the drive.
 */
export async function getInfo(deps: CoreDeps, userId: number) {
  const user = await deps.db
    .selectFrom("users as u")
    .leftJoin("files as f", (join) =>
      // "" (no avatar) casts to null and matches nothing; the file must still be the user's and active.
      join.onRef("f.user_id", "=", "u.id").on(sql<boolean>`f.identity = nullif(u.avatar, '')::uuid`).on("f.status", "=", "active"),
    )
    .leftJoin("blobs as b", "b.sha256", "f.blob_sha256")
    .select([
      "u.id",
      "u.mobile",
      "u.name",
      "u.avatar",
      "u.info",
      "u.role",
      "u.created_at",
      "f.name as avatar_name",
      "f.mime_type",
      "b.object_key",
    ])
    .where("u.id", "=", userId)
    .executeTakeFirst();
  if (!user) return fail("USER_NOT_FOUND");
  const { created_at, avatar, avatar_name, mime_type, object_key, ...rest } = user;
  const image = object_key ? await presignedDownload(deps, { name: avatar_name!, mime_type: mime_type!, object_key }) : null;
  return {
    userInfo: { ...rest, avatar: image?.url ?? "", avatarIdentity: image ? avatar : "", createTime: toUnixSeconds(created_at) },
  };
}
