/**
 * Runs `task` now and then `intervalMs` after each run ends (runs never overlap), until closed;
 * `idle` resolves once no run is in progress; `close` cancels the wait and resolves once a run in
 * progress has finished. A failing run is reported to `onError` and the next one still comes.
 */
export function repeat(intervalMs: number, task: () => Promise<unknown>, onError: (error: unknown) => void) {
  let stopped = false;
  let sleep: { timer: NodeJS.Timeout; wake(): void } | undefined;
  let running: Promise<unknown> | undefined;
  const loop = (async () => {
    while (!stopped) {
      running = task().catch(onError);
      await running;
      running = undefined;
      if (!stopped) await new Promise<void>((wake) => (sleep = { timer: setTimeout(wake, intervalMs), wake }));
    }
  })();
  return {
    async idle() {
      await running;
    },
    async close() {
      stopped = true;
      clearTimeout(sleep?.timer);
      sleep?.wake();
      await loop;
    },
  };
}
