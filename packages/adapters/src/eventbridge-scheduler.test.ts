import { describe, expect, it } from "vitest";
import { atExpression, scheduleName } from "./eventbridge-scheduler";

describe("schedule names and times", () => {
  it("keeps valid names and fits others into 64 characters of [0-9a-zA-Z-_.], without collisions", () => {
    const batch = "0b6f3c1e-6f7a-4c1e-9d7e-2a1b3c4d5e6f";
    expect(scheduleName(`trash-purge-${batch}`)).toBe(`trash-purge-${batch}`);
    const names = ["a:b", "a-b", "a/b", `x${"y".repeat(80)}`, `x${"y".repeat(81)}`].map(scheduleName);
    for (const name of names) expect(name).toMatch(/^[0-9a-zA-Z\-_.]{1,64}$/);
    expect(new Set(names).size).toBe(names.length);
    expect(scheduleName("a:b")).toBe(scheduleName("a:b"));
  });

  it("writes at() in UTC to the second, never in the past", () => {
    const now = new Date("2026-03-01T10:00:00.000Z");
    expect(atExpression(new Date("2026-03-31T10:00:00.750Z"), now)).toBe("at(2026-03-31T10:00:00)");
    expect(atExpression(new Date("2026-02-01T00:00:00Z"), now)).toBe("at(2026-03-01T10:01:00)");
  });
});
