import { COMPAT_TAG } from "@polaris/contract";
import { use, type StackContext } from "sst/constructs";
import { Api, addEndpoints } from "./Api";

/**
 * The Polaris-IO compatibility routes (packages/contract/src/compat.ts, tag "Polaris-IO compatibility")
 * on the same HTTP API, in a stack of their own: the original's paths are marked apart from Polaris's,
 * and their functions stay out of the Api stack's 500-resource budget.
 */
export function Compat({ stack }: StackContext) {
  addEndpoints(stack, use(Api), (route) => route.tag === COMPAT_TAG);
}
