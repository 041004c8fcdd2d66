import { use, type StackContext } from "sst/constructs";
import { Api, addEndpoints, FILES_TAG } from "./Api";

/** The file routes (uploads, listing, tree operations, recycle bin, versions) on the same HTTP API, in a stack of their own (see FILES_TAG). */
export function Files({ stack }: StackContext) {
  addEndpoints(stack, use(Api), (route) => route.tag === FILES_TAG);
}
