export { list } from "./list";
export { detail } from "./detail";
export { download } from "./download";
export { createFolder } from "./create-folder";
export { rename } from "./rename";
export { move } from "./move";
export { copy } from "./copy";
