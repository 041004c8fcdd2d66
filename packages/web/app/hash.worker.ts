/// <reference lib="webworker" />
/**
 * Hashing off the main thread: SHA-256 of a File read in 4 MiB slices (so a 2 GB file never sits in
 * memory), with progress messages, and the instant-upload proof sha256(utf8(nonce) ‖ bytes[offset, offset+length)).
 */
import { Sha256, toBase64, toHex } from "./sha256";

export type HashRequest =
  | { id: number; type: "hash"; file: Blob }
  | { id: number; type: "proof"; file: Blob; nonce: string; offset: number; length: number };
export type HashResponse =
  | { id: number; type: "progress"; loaded: number; total: number }
  | { id: number; type: "done"; hex: string; base64: string }
  | {
      id: number;
      type: "error";
      message: string /** the DOMException's name, e.g. NotReadableError for a file moved or changed meanwhile */;
      name: string;
    };

const SLICE = 4 * 1024 * 1024;
const scope = self as unknown as DedicatedWorkerGlobalScope;

async function digest(id: number, file: Blob, start: number, end: number, prefix?: Uint8Array) {
  const h = new Sha256();
  if (prefix) h.update(prefix);
  let lastReport = 0;
  for (let pos = start; pos < end; pos += SLICE) {
    const chunk = new Uint8Array(await file.slice(pos, Math.min(pos + SLICE, end)).arrayBuffer());
    h.update(chunk);
    const now = Date.now();
    if (now - lastReport > 100 || pos + SLICE >= end) {
      lastReport = now;
      scope.postMessage({ id, type: "progress", loaded: Math.min(pos + SLICE, end) - start, total: end - start } satisfies HashResponse);
    }
  }
  const bytes = h.digest();
  scope.postMessage({ id, type: "done", hex: toHex(bytes), base64: toBase64(bytes) } satisfies HashResponse);
}

scope.onmessage = async (event: MessageEvent<HashRequest>) => {
  const msg = event.data;
  try {
    if (msg.type === "hash") await digest(msg.id, msg.file, 0, msg.file.size);
    else await digest(msg.id, msg.file, msg.offset, Math.min(msg.offset + msg.length, msg.file.size), new TextEncoder().encode(msg.nonce));
  } catch (e) {
    scope.postMessage({ id: msg.id, type: "error", message: (e as Error).message, name: (e as Error).name } satisfies HashResponse);
  }
};
