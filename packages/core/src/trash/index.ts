export { moveToTrash } from "./move-to-trash";
export { listTrash } from "./list-trash";
export { restore } from "./restore";
export { deleteForever } from "./delete-forever";
export { clearTrash } from "./clear";
export { purgeExpiredBatch } from "./purge-expired";
