import { Logger } from "@aws-lambda-powertools/logger";
import type { Config } from "./config";

/** What Powertools hands its printer (its LogItem). */
type Item = { prepareForPrint(): void; getAttributes(): Record<string, unknown> };
type Attributes = Record<string, unknown> & { message?: unknown; level?: string; error?: unknown };

const clock = (date: Date) => date.toTimeString().slice(0, 8);

/** A request as a person reads it at a local server's terminal: `12:04:05 GET /file/v1/file/list 200 12 ms`. */
export function writeRequestLine(method: string, path: string, status: number, ms: number | string) {
  (status >= 500 ? process.stderr : process.stdout).write(`${clock(new Date())} ${method} ${path} ${status} ${ms} ms\n`);
}

/** The error an item carries, as Powertools formats it ({ name, message, stack }), on one line (its stack under it when asked). */
function describeError(error: unknown, withStack: boolean): string {
  if (!error || typeof error !== "object") return error === undefined ? "" : `: ${String(error)}`;
  const { name, message, stack } = error as { name?: string; message?: string; stack?: string };
  if (withStack && stack) return `: ${stack}`;
  return `: ${name && name !== "Error" ? `${name}: ` : ""}${message ?? ""}`;
}

/**
 * Powertools' logger, printing for a person at a terminal: the HTTP stack's request line as
 * `12:04:05 GET /file/v1/file/list 200 12 ms`, any other line as its time, level and message with
 * the error it carries (an ERROR's stack too: a 500 is a bug to find). The levels and the calls
 * are Powertools' own, so the code that logs does not know which format it writes.
 */
class HumanLogger extends Logger {
  protected override printLog(level: number, log: Item): void {
    log.prepareForPrint();
    const a = log.getAttributes() as Attributes;
    const levelName = String(a.level ?? "INFO");
    if (a.message === "request" && typeof a.route === "string" && typeof a.status === "number") {
      const [method, path] = a.route.split(" ");
      writeRequestLine(method, path, a.status, String(a.latencyMs ?? "?"));
      return;
    }
    const serious = levelName === "ERROR" || levelName === "CRITICAL";
    const context = ["job", "handlerModule", "path"]
      .filter((k) => a[k] !== undefined)
      .map((k) => ` (${k} ${String(a[k])})`)
      .join("");
    const line = `${clock(new Date())} ${levelName} ${String(a.message ?? "")}${context}${describeError(a.error, serious)}`;
    (level >= 16 ? process.stderr : process.stdout).write(`${line}\n`);
  }
}

/** The process's logger: Powertools' JSON lines (Lambda, LOG_FORMAT=json), or lines for a person. */
export function createLogger(config: Pick<Config, "LOG_LEVEL" | "LOG_FORMAT">): Logger {
  const options = { serviceName: "polaris", logLevel: config.LOG_LEVEL };
  return config.LOG_FORMAT === "human" ? new HumanLogger(options) : new Logger(options);
}
