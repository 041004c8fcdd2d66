export { startTestApp, nextMobile, type Profile, type TestApp } from "./app";
export { freshDatabaseEnv } from "./database";
export * from "./files";
