import type { CoreDeps } from "../deps";
import { EventSchemas, type EventType } from "../events";
import { affectedIds, loadDocuments } from "./documents";

/** Ids per bulk write: bounds memory for a large subtree and keeps requests well under OpenSearch's limits. */
const CHUNK = 1000;

/**
 * The indexer: re-reads the items an event names (and their subtrees) from the database and writes them
 * to the search index with their row versions, so a replayed or reordered event never makes the index
 * older. Events that name no files are consumed as they are; a malformed one throws (and is retried,
 * then dead-lettered). Without a separate index (SQL search) there is nothing to do.
 */
export async function indexChange(deps: Pick<CoreDeps, "db" | "searchIndex">, type: string, detail: unknown) {
  if (!(type in EventSchemas)) return { indexed: 0 };
  const payload: Record<string, unknown> = EventSchemas[type as EventType].parse(detail);
  if (!Array.isArray(payload.fileIds) || !deps.searchIndex) return { indexed: 0 };
  // Events that name files without saying otherwise (a saved share's copies) cover whole subtrees.
  const ids = await affectedIds(deps.db, payload.fileIds as number[], payload.subtree !== false);
  for (let i = 0; i < ids.length; i += CHUNK) {
    await deps.searchIndex.write(await loadDocuments(deps.db, ids.slice(i, i + CHUNK)));
  }
  return { indexed: ids.length };
}
