export { presign } from "./presign";
export { listUploadParts } from "./parts";
export { callback } from "./callback";
export { abort } from "./abort";
export { instant } from "./instant";
export { completeUpload, type CompletionResult } from "./complete";
export { expireUpload } from "./expire";
