import { z } from "zod";
import { extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";

extendZodWithOpenApi(z);

export * from "./errors";
export * from "./route";
export * from "./users";
export * from "./ops";
export * from "./files";
export * from "./shares";
export * from "./search";
export * from "./jobs";
export * from "./routes";
export { buildOpenApiDocument } from "./openapi";
