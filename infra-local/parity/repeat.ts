/**
 * Runs `task` now and then `intervalMs` after each run ends (runs never overlap), until closed;
 * `close` cancels the wait and resolves once a run in progress has finished. A failing run is
 * reported to `onError` and the next one still comes.
 */
export function repeat(intervalMs: number, task: () => Promise<unknown>, onError: (error: unknown) => void) {
  let stopped = false;
  let sleep: { timer: NodeJS.Timeout; wake(): void } | undefined;
  const loop = (async () => {
    while (!stopped) {
      await task().catch(onError);
      if (!stopped) await new Promise<void>((wake) => (sleep = { timer: setTimeout(wake, intervalMs), wake }));
    }
  })();
  return {
    async close() {
      stopped = true;
      clearTimeout(sleep?.timer);
      sleep?.wake();
      await loop;
    },
  };
}
