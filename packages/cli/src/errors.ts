/** Exit codes a script can rely on. */
export const Exit = { OK: 0, API: 1, USAGE: 2, NOT_LOGGED_IN: 3, NETWORK: 4, INTERRUPTED: 130 } as const;

/** The API answered with a business error: the typed client's own, so a caught error is one class whoever threw it. */
export { ApiError } from "@polaris/contract/client";
/** The command line was wrong (bad option value, missing local file…). */
export class UsageError extends Error {}
/** No stored credentials for this API, or the token was refused. */
export class NotLoggedInError extends Error {}
/** The API could not be reached. */
export class NetworkError extends Error {}
/** Ctrl-C stopped a transfer (an upload continues where it stopped when the same command runs again) or a prompt. */
export class Interrupted extends Error {
  constructor(message = "interrupted: run the same command again to continue where it stopped") {
    super(message);
  }
}

/**
 * A local file-system refusal (an unreadable folder inside an upload, a full disk on download) as one
 * line for a person — the path, what failed and the system's code — instead of a stack trace.
 */
export function localFileProblem(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof e.code !== "string" || !e.syscall) return undefined;
  const reason = e.message.replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "");
  return `${e.path ? `${e.path}: ` : ""}${reason} (${e.code} in ${e.syscall})`;
}
