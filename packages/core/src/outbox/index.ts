export { publishPending } from "./publish-pending";
export { sweepOutbox } from "./sweep";
