export { listVersions } from "./list";
export { downloadVersion } from "./download";
export { restoreVersion } from "./restore";
export { deleteVersion } from "./delete";
export { pruneVersions } from "./prune";
