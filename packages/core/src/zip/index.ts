export { create, createForShare } from "./create";
export { status, statusForShare } from "./status";
export { runZip } from "./run";
export { expireZip } from "./expire";
