import { expect, it } from "vitest";
import { fit, formatBytes, formatDuration, terminalProgress } from "./progress";

it("formats sizes, rates and times for a person", () => {
  expect([0, 60.3448275862069, 1023, 1536, 60 * 1024 + 300, 1024 * 1024 - 1, 3.24 * 1024 ** 3].map(formatBytes)).toEqual([
    "0B",
    "60B",
    "1023B",
    "1.5K",
    "60K",
    "1.0M",
    "3.2G",
  ]);
  expect([0, 7.2, 65, 7380, Number.POSITIVE_INFINITY, Number.NaN].map(formatDuration)).toEqual([
    "0s",
    "8s",
    "1m05s",
    "2h03m",
    undefined,
    undefined,
  ]);
  expect(fit("abcdef", 4)).toBe("abc…");
  expect(fit("报告文件", 4)).toBe("报告文件");
});

it("draws one line for the whole transfer: bar, files, bytes, rate, time left and the current file, cut to the terminal", () => {
  let t = 0;
  const screen: string[] = [];
  const progress = terminalProgress({ write: (s) => screen.push(s), columns: 72 }, () => t);
  progress.plan?.(2, 4096);
  const a = progress.start("photos/a.jpg", 2048);
  a.update(2048, "hashing");
  t += 1000;
  a.update(1024, "uploading");
  t += 1000;
  a.update(2048, "uploading");
  a.stop();
  t += 1000;
  const b = progress.start("photos/a-very-long-name-that-the-terminal-cannot-hold-whole.jpg", 2048);
  t += 1000;
  b.update(1024, "uploading");
  // 3 KiB in the 4 s since the first file began: 768 B/s, 1 KiB left.
  const last = screen.at(-1)!.replace("\r\u001b[2K", "");
  // Too narrow for every figure and 12 characters of the name: the byte counts give way first.
  expect(last).toBe("████████░░  75%  2/2 files  768B/s  ETA 2s  uploading photos/a-very-lo…");
  expect([...last].length).toBe(71);
  b.stop();
  progress.stop();
  expect(screen.at(-1)).toMatch(/100% {2}2\/2 files {2}4\.0K\/4\.0K.*\n$/);
});
