import type { ErrorName } from "@polaris/contract";

/** A business failure the caller can act on; the HTTP layer maps `name` to status and code. */
export class DomainError extends Error {
  constructor(
    override readonly name: ErrorName,
    message?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message ?? name);
  }
}

export const fail = (name: ErrorName, message?: string, details?: Record<string, unknown>): never => {
  throw new DomainError(name, message, details);
};
