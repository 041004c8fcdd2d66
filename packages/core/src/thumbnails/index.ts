export { generate, type ThumbnailOutcome } from "./generate";
export { fileItemsOf } from "./urls";
export { preview, sharePreview, previewOf } from "./preview";
export { thumbnailKey } from "./shared";
