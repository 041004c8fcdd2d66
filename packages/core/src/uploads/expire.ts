import type { CoreDeps } from "../deps";
import { closeUpload } from "./shared";

/** The expiry job: closes the session only if it is still pending and past its time. */
export async function expireUpload(deps: CoreDeps, uploadKey: string) {
  const upload = await deps.db.selectFrom("uploads").select("id").where("upload_key", "=", uploadKey).executeTakeFirst();
  if (!upload) return { expired: false };
  return { expired: Boolean(await closeUpload(deps, upload.id, "expired", true)) };
}
