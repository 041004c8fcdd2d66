import { sql } from "kysely";
import type { Db } from "../db/schema";
import { fail } from "../errors";
import type { OpenShare } from "./access";

/** Download, save and zip: refused on a share that allows preview only. */
export function assertNotPreviewOnly(share: Pick<OpenShare, "preview_only">) {
  if (share.preview_only) fail("SHARE_PREVIEW_ONLY", "this share allows preview only: no download, save or zip");
}

/** Refuses new visitors once the downloads are used up: the link is spent, as an expired one is. */
export function assertDownloadsLeft(share: Pick<OpenShare, "download_num" | "download_limit">) {
  if (share.download_limit !== null && share.download_num >= share.download_limit)
    fail("SHARE_DOWNLOAD_LIMIT_REACHED", `this share's ${share.download_limit} downloads are used up`);
}

/**
 * Counts one use against a limit in one conditional UPDATE: PostgreSQL re-checks the condition on the
 * row as the previous writer left it, so parallel requests can never take more than the limit.
 */
async function take(db: Db, shareId: number, counter: "download_num" | "click_num", limit: "download_limit" | "view_limit") {
  const row = await db
    .updateTable("shares")
    .set({ [counter]: sql`${sql.ref(counter)} + 1` })
    .where("id", "=", shareId)
    .where((eb) => eb.or([eb(limit, "is", null), eb(counter, "<", eb.ref(limit))]))
    .returning("id")
    .executeTakeFirst();
  return Boolean(row);
}

/** One download (a URL or a zip) of the share, or 410 once its limit is reached. */
export async function takeDownload(db: Db, share: Pick<OpenShare, "id" | "download_limit">) {
  if (!(await take(db, share.id, "download_num", "download_limit")))
    fail("SHARE_DOWNLOAD_LIMIT_REACHED", `this share's ${share.download_limit} downloads are used up`);
}

/** One view (a visitor opening the share), or 410 once its limit is reached. */
export async function takeView(db: Db, share: Pick<OpenShare, "id" | "view_limit">) {
  if (!(await take(db, share.id, "click_num", "view_limit")))
    fail("SHARE_VIEW_LIMIT_REACHED", `this share's ${share.view_limit} views are used up`);
}
