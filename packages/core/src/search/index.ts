export { searchFiles } from "./search-files";
export { searchStats } from "./stats";
export { indexChange } from "./index-change";
export { allDocuments, loadDocuments } from "./documents";
export { reindex, type ReindexTarget } from "./reindex";
