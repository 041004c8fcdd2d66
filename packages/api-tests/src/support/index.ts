export { startTestApp, nextMobile, type TestApp } from "./app";
export { freshDatabaseEnv } from "./database";
export * from "./files";
