import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Credentials } from "./sigv4";

/** The store's key pair: made once per POLARIS_HOME, readable by its owner only. */
export function localStoreCredentials(home: string): Credentials {
  const file = join(home, "s3-credentials.json");
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Credentials;
  } catch {
    mkdirSync(home, { recursive: true });
    const credentials = {
      accessKeyId: `PL${randomBytes(9).toString("hex").toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString("base64url"),
    };
    writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
    return credentials;
  }
}
