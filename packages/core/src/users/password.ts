import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { availableParallelism } from "node:os";
import pLimit from "p-limit";

// scrypt with the parameters stored beside the hash, so they can be raised later without a reset.
/** log2 of scrypt's N unless PASSWORD_HASH_COST says otherwise (tests lower it: registering dominates their time). */
export const DEFAULT_PASSWORD_HASH_COST = 15;
const blockSize = 8;
const keyLength = 32;

/**
 * Each derivation holds 128·N·r bytes (32 MB) while it runs. More at once than there are cores adds no
 * throughput, only that memory per derivation (and takes libuv's pool from file I/O): the rest wait here.
 */
const limitDerivations = pLimit(availableParallelism());

const derive = (password: string, salt: Buffer, opts: ScryptOptions) =>
  limitDerivations(
    () =>
      new Promise<Buffer>((resolve, reject) =>
        scrypt(password.normalize("NFKC"), salt, keyLength, { ...opts, maxmem: 256 * 1024 * 1024 }, (err, key) =>
          err ? reject(err) : resolve(key),
        ),
      ),
  );

export async function hashPassword(password: string, cost = DEFAULT_PASSWORD_HASH_COST): Promise<string> {
  const salt = randomBytes(16);
  const params = { N: 2 ** cost, r: blockSize, p: 1 };
  const key = await derive(password, salt, params);
  return ["scrypt", params.N, params.r, params.p, salt.toString("base64"), key.toString("base64")].join("$");
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !salt || !key) return false;
  const expected = Buffer.from(key, "base64");
  const actual = await derive(password, Buffer.from(salt, "base64"), { N: Number(N), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * A stored hash with today's parameters (of a password nobody has), written out rather than derived at
 * load: each function that loads core would pay a derivation at cold start, or the first unknown mobile
 * two of them.
 */
export const DECOY_HASH = "scrypt$32768$8$1$6Mf+ekpNADWfY3/7HPIj7Q==$QBasE+WmzZfYVtCT0bNizAI1w000P3EnILryAeopGvA=";

/** Spends the same work as a real check, so an unknown mobile is not revealed by timing. */
export const burnPasswordCheck = (password: string) => verifyPassword(password, DECOY_HASH);
