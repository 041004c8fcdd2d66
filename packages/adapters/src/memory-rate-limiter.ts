import type { RateLimiter } from "@polaris/core";

/**
 * Fixed-window counters in this process's memory: right for the single-process embedded profile.
 * Each method reads and writes without awaiting in between, so every take is atomic here.
 */
export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const live = (key: string) => {
    const entry = windows.get(key);
    if (entry && entry.resetAt <= now()) {
      windows.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    async take(key, limit, windowSeconds) {
      const entry = live(key) ?? { count: 0, resetAt: now() + windowSeconds * 1000 };
      if (entry.count >= limit) return false;
      entry.count += 1;
      windows.set(key, entry);
      return true;
    },
    async giveBack(key) {
      const entry = live(key);
      if (entry && entry.count > 0) entry.count -= 1;
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}
