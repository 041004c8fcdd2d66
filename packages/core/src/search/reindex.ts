import type { CoreDeps } from "../deps";
import { allDocuments, loadDocuments } from "./documents";
import { indexChange } from "./index-change";

const PAGE = 1000;

export type ReindexTarget = { userId: number } | { all: true };

/**
 * Rebuilds the search index from the database, the system of record.
 *
 * `all`: fills a new index behind the readers' back and swaps it in one step, so searches never
 * see a half-built index; changes committed while it filled went to the old index, so their outbox
 * events are replayed into the new one afterwards (versions make replays harmless).
 * One user: rewrites the user's documents in place (the same version overwrites, repairing damaged
 * ones) and removes documents of items the database holds as purged.
 */
export async function reindex(deps: Pick<CoreDeps, "db" | "searchIndex">, target: ReindexTarget) {
  const index = deps.searchIndex;
  if (!index) throw new Error("no search index is configured: search reads the files table and there is no index to rebuild");
  if ("all" in target) {
    const mark = await deps.db
      .selectFrom("outbox")
      .select((eb) => eb.fn.max("id").as("id"))
      .executeTakeFirstOrThrow();
    const built = await index.rebuild(allDocuments(deps.db, { pageSize: PAGE }));
    const missed = await deps.db
      .selectFrom("outbox")
      .select(["type", "payload"])
      .where("id", ">", Number(mark.id ?? 0))
      .orderBy("id")
      .execute();
    for (const event of missed) await indexChange(deps, event.type, event.payload);
    return { index: built.index, documents: built.count, replayedEvents: missed.length };
  }
  const written = new Set<number>();
  for await (const docs of allDocuments(deps.db, { userId: target.userId, pageSize: PAGE })) {
    await index.repair(docs);
    for (const doc of docs) written.add(doc.id);
  }
  const leftovers = (await index.documentIds(target.userId)).filter((id) => !written.has(id));
  for (let i = 0; i < leftovers.length; i += PAGE) {
    const ids = leftovers.slice(i, i + PAGE);
    // Re-read: purged rows are deleted (with their versions), rows created since the scan are written,
    // and ids the database does not know at all are removed.
    const docs = await loadDocuments(deps.db, ids);
    await index.write(docs);
    const known = new Set(docs.map((doc) => doc.id));
    await index.remove(
      target.userId,
      ids.filter((id) => !known.has(id)),
    );
  }
  return { index: index.name, documents: written.size, removedOrRefreshed: leftovers.length };
}
