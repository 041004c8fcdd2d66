// The OpenAPI generator is its own entry (`@polaris/contract/openapi`): only /openapi.json loads it.
export * from "./errors";
export * from "./route";
export * from "./users";
export * from "./ops";
export * from "./files";
export * from "./shares";
export * from "./search";
export * from "./admin";
export * from "./zip";
export * from "./previews";
export * from "./compat";
export * from "./jobs";
export * from "./consumers";
export * from "./routes";
