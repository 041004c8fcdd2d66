import type { CoreDeps } from "../deps";

/** Counts and sizes of the caller's active items, from the search engine. */
export const searchStats = (deps: CoreDeps, userId: number) => deps.search.stats(userId);
