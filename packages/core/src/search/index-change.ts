import type { CoreDeps } from "../deps";
import { EventSchemas, type EventPayload, type EventType } from "../events";
import { affectedIds, loadDocuments } from "./documents";

/** Ids per bulk write: bounds memory for a large subtree and keeps requests well under OpenSearch's limits. */
const CHUNK = 1000;

/**
 * The indexer: re-reads the items a file event names (and their subtrees) from the database and writes
 * them to the search index with their row versions, so a replayed or reordered event never makes the
 * index older. Every change to files has a file.* event (a saved share writes file.created for its
 * copies), so other events are only validated and consumed; a malformed one throws (and is retried,
 * then dead-lettered). Without a separate index (SQL search) there is nothing to write.
 */
export async function indexChange(deps: Pick<CoreDeps, "db" | "searchIndex">, type: string, detail: unknown) {
  if (!(type in EventSchemas)) return { indexed: 0 };
  const payload = EventSchemas[type as EventType].parse(detail);
  if (!type.startsWith("file.") || !deps.searchIndex) return { indexed: 0 };
  const { fileIds, subtree } = payload as EventPayload<"file.created">;
  const ids = await affectedIds(deps.db, fileIds, subtree);
  for (let i = 0; i < ids.length; i += CHUNK) {
    await deps.searchIndex.write(await loadDocuments(deps.db, ids.slice(i, i + CHUNK)));
  }
  return { indexed: ids.length };
}
