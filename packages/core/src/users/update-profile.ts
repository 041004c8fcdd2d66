import type { BodyOf, userRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { getInfo } from "./get-info";

const AVATAR_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Changes the display name and/or the avatar. The avatar is an image file of the user's own drive,
 * uploaded through the usual presigned path: at most 2 MiB and of an image type; "" removes it.
 */
export async function updateProfile(deps: CoreDeps, userId: number, input: BodyOf<typeof userRoutes.profile>) {
  if (input.avatar) {
    const file = await deps.db
      .selectFrom("files")
      .select(["size", "mime_type"])
      .where("identity", "=", input.avatar)
      .where("user_id", "=", userId)
      .where("status", "=", "active")
      .where("is_dir", "=", false)
      .executeTakeFirst();
    // Someone else's file is as missing as one nobody has.
    if (!file) return fail("FILE_NOT_FOUND");
    if (!file.mime_type.startsWith("image/") || file.size > AVATAR_MAX_BYTES)
      fail("INVALID_AVATAR", `the avatar must be an image of at most 2 MiB (this is ${file.mime_type}, ${file.size} bytes)`);
  }
  await deps.db
    .updateTable("users")
    .set({
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.avatar === undefined ? {} : { avatar: input.avatar }),
      updated_at: deps.clock.now(),
    })
    .where("id", "=", userId)
    .execute();
  return getInfo(deps, userId);
}
