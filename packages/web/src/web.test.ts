import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ErrorCodes } from "@polaris/contract";
import { errorMessages } from "../app/messages";
import { Sha256, toBase64 } from "../app/sha256";

describe("incremental SHA-256 of the hashing worker", () => {
  it("matches node:crypto for every padding boundary and any slicing", () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 65_537, 1_000_003]) {
      const data = randomBytes(n);
      const h = new Sha256();
      for (let i = 0; i < n; ) {
        const k = Math.min(n - i, 1 + Math.floor(Math.random() * 4099));
        h.update(data.subarray(i, i + k));
        i += k;
      }
      expect(h.hex(), `length ${n}`).toBe(createHash("sha256").update(data).digest("hex"));
    }
  });

  it("computes the instant-upload proof sha256(utf8(nonce) ‖ range) and the base64 checksum", () => {
    const data = randomBytes(10_000);
    const nonce = "nonce-ü-42";
    const proof = new Sha256().update(new TextEncoder().encode(nonce)).update(data.subarray(100, 4196)).hex();
    expect(proof).toBe(createHash("sha256").update(Buffer.from(nonce, "utf8")).update(data.subarray(100, 4196)).digest("hex"));
    expect(toBase64(new Sha256().update(data).digest())).toBe(createHash("sha256").update(data).digest("base64"));
  });

  it("refuses to be used after digest", () => {
    const h = new Sha256();
    h.digest();
    expect(() => h.update(new Uint8Array(1))).toThrow();
  });
});

describe("console messages", () => {
  it("has a Chinese and an English message for every business code of the contract", () => {
    for (const [name, { code }] of Object.entries(ErrorCodes)) {
      expect(errorMessages[code]?.zh, `${name} ${code} zh`).toBeTruthy();
      expect(errorMessages[code]?.en, `${name} ${code} en`).toBeTruthy();
    }
  });
});
