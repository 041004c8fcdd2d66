import type { Progress } from "./transfer";

/** 512B, 1.5K, 60K, 3.2M: one decimal below 10 of a unit, whole numbers above (and whole bytes). */
export function formatBytes(n: number): string {
  const units = ["B", "K", "M", "G", "T"];
  let i = 0;
  let v = Math.max(0, n);
  while (v >= 1024 && i < units.length - 1) (v /= 1024), i++;
  if (i === 0) return `${Math.round(v)}B`;
  // 1023.6K would print as "1024K": that is the next unit's 1.0.
  const shown = v < 10 ? v.toFixed(1) : String(Math.round(v));
  return shown === "1024" && i < units.length - 1 ? `1.0${units[i + 1]}` : `${shown}${units[i]}`;
}

/** 7s, 1m05s, 2h03m; undefined when there is nothing to estimate from (no rate yet). */
export function formatDuration(seconds: number): string | undefined {
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  if (s < 100 * 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  return undefined; // days of waiting: no useful figure
}

/** Cuts `text` to `width` columns, ending in "…" when cut (the terminal would wrap it onto a second line). */
export function fit(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
}

/** How long a byte rate is averaged over: long enough to be steady, short enough to follow a change. */
const RATE_WINDOW_MS = 5000;
const REDRAW_MS = 100;
const BAR_WIDTH = 20;
/** Characters of the current file's name a progress line keeps, dropping figures before it cuts the name shorter. */
const MIN_NAME_SHOWN = 12;

interface Terminal {
  write(text: string): unknown;
  columns?: number;
}

/**
 * One status line for a whole transfer, redrawn in place: an overall bar (bytes of every file, when
 * the files are planned ahead as a folder upload does), files done of all, bytes, the rate over
 * the last seconds and the time left, then the current file and what is happening to it. Never
 * wider than the terminal, so it never wraps into a second line that `\r` cannot take back.
 */
export function terminalProgress(terminal: Terminal, now: () => number = () => performance.now()): Progress & { stop(): void } {
  let planned: { files: number; bytes: number } | undefined;
  let finishedFiles = 0;
  let finishedBytes = 0;
  let current: { label: string; total: number; done: number; stage: string } | undefined;
  const samples: { at: number; bytes: number }[] = [];
  let lastDraw = 0;
  let shown = false;

  const transferred = () => finishedBytes + (current && isTransfer(current.stage) ? current.done : 0);
  const rate = () => {
    const t = now();
    while (samples.length > 1 && t - samples[0].at > RATE_WINDOW_MS) samples.shift();
    if (samples.length < 2) return 0;
    const first = samples[0];
    const last = samples[samples.length - 1];
    return last.at > first.at ? ((last.bytes - first.bytes) * 1000) / (last.at - first.at) : 0;
  };

  const line = () => {
    const width = Math.max(20, (terminal.columns || 80) - 1);
    const total = planned ? planned.bytes : (current?.total ?? 0);
    const done = planned ? transferred() : current && isTransfer(current.stage) ? current.done : 0;
    const ratio = total > 0 ? Math.min(1, done / total) : current?.stage === "done" ? 1 : 0;
    // A narrow terminal gets a shorter bar, and room for the figures.
    const barWidth = width >= 100 ? BAR_WIDTH : BAR_WIDTH / 2;
    const filled = Math.round(ratio * barWidth);
    const speed = rate();
    const eta = speed > 0 ? formatDuration((total - done) / speed) : undefined;
    const bar = `${"█".repeat(filled)}${"░".repeat(barWidth - filled)} ${String(Math.floor(ratio * 100)).padStart(3)}%`;
    const files =
      planned && planned.files > 1 ? [`${Math.min(finishedFiles + (current ? 1 : 0), planned.files)}/${planned.files} files`] : [];
    const bytes = `${formatBytes(done)}/${formatBytes(total)}`;
    const pace = [...(speed > 0 ? [`${formatBytes(speed)}/s`] : []), ...(eta ? [`ETA ${eta}`] : [])];
    // Widest first; a narrow terminal drops the byte counts, then the file count, before the current file's name.
    const heads = [
      [bar, ...files, bytes, ...pace],
      [bar, ...files, ...pace],
      [bar, ...pace],
    ].map((p) => p.join("  "));
    if (!current) return fit(heads[0], width);
    // The current file: the stage (with its own share while hashing), then as much of the name as fits.
    const stage =
      current.stage === "hashing" && current.total > 0 ? `hashing ${Math.floor((current.done / current.total) * 100)}%` : current.stage;
    const tail = `${stage} ${current.label}`;
    const wanted = Math.min(tail.length, stage.length + 1 + MIN_NAME_SHOWN);
    const head = heads.find((h) => width - h.length - 2 >= wanted) ?? heads[heads.length - 1];
    return fit(`${head}  ${tail}`, width);
  };

  const draw = (force = false) => {
    const t = now();
    if (!force && t - lastDraw < REDRAW_MS) return;
    lastDraw = t;
    samples.push({ at: t, bytes: transferred() });
    terminal.write(`\r\x1b[2K${line()}`);
    shown = true;
  };

  return {
    plan(files, bytes) {
      planned = { files, bytes };
    },
    start(label, total) {
      current = { label, total, done: 0, stage: "hashing" };
      const file = current;
      draw(true);
      return {
        update(done, stage = file.stage) {
          file.done = Math.min(done, file.total);
          file.stage = stage;
          draw();
        },
        stop() {
          finishedFiles++;
          // A file whose transfer was skipped (instant upload, a resumed one already whole) counts whole.
          finishedBytes += file.total;
          if (current === file) current = undefined;
          draw(true);
        },
      };
    },
    stop() {
      if (shown) terminal.write(`\r\x1b[2K${line()}\n`);
      shown = false;
    },
  };
}

const isTransfer = (stage: string) => ["uploading", "resuming", "downloading", "completing", "done", "instant"].includes(stage);
