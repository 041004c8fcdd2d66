export { create } from "./create";
export { status } from "./status";
export { runZip } from "./run";
export { expireZip } from "./expire";
