import type { BodyOf, fileRoutes } from "@polaris/contract";
import type { CoreDeps } from "../deps";
import { fail } from "../errors";
import { purgeBatches } from "./purge";

export async function deleteForever(deps: CoreDeps, userId: number, input: BodyOf<typeof fileRoutes.trashDelete>) {
  const identities = [...new Set(input.identities)];
  const rows = await deps.db
    .selectFrom("files")
    .select(["status", "trash_root", "trash_batch"])
    .where("identity", "in", identities)
    .where("user_id", "=", userId)
    .where("status", "<>", "purged")
    .execute();
  if (rows.length !== identities.length) fail("FILE_NOT_FOUND");
  if (rows.some((r) => r.status !== "trashed" || !r.trash_root)) fail("NOT_IN_TRASH");
  return {
    deletedCount: await purgeBatches(
      deps,
      userId,
      rows.map((r) => r.trash_batch!),
    ),
  };
}
