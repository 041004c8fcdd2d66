/**
 * Previews, in the console and on the public share page: pictures in a lightbox, PDF in the browser's
 * own viewer, text and code highlighted (the first TEXT_PREVIEW_BYTES), audio and video in HTML5
 * players. The server decides what previews (GET …/preview): its URLs are inline only for types that
 * run no script, HTML and SVG come as text/plain, and anything else is offered as a download. Previous
 * and next (buttons, ← →) walk the folder's files.
 */
import { useEffect, useState } from "react";
import { addFileAction, startDownload } from "../actions";
import { api, ApiError, type FileItem, type PreviewInfo } from "../api";
import { describeError, format, formatBytes, useI18n } from "../i18n";
import { Modal } from "../ui";
import "./preview.css";

/** Text previews read this much of a file (one ranged GET): enough to read, little to hold. */
export const TEXT_PREVIEW_BYTES = 256 * 1024;
const NO_PREVIEW = 300050;

type Loaded =
  | { state: "loading" }
  | { state: "ready"; info: PreviewInfo; html?: string }
  | { state: "none" }
  | { state: "error"; message: string };

async function loadText(info: PreviewInfo, ext: string) {
  const res = await fetch(info.url, { headers: { range: `bytes=0-${TEXT_PREVIEW_BYTES - 1}` } });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  const text = new TextDecoder("utf-8").decode(await res.arrayBuffer());
  const { highlight } = await import("./highlight");
  return highlight(text, ext);
}

export function PreviewDialog(props: {
  /** The folder's items (folders are skipped); `start` is the one opened. */
  items: FileItem[];
  start: FileItem;
  load(item: FileItem): Promise<PreviewInfo>;
  /** Absent on a preview-only share. */
  download?(item: FileItem): void;
  onClose(): void;
}) {
  const { t, lang } = useI18n();
  const files = props.items.filter((i) => !i.isDir);
  const list = files.some((f) => f.identity === props.start.identity) ? files : [props.start];
  const [index, setIndex] = useState(() =>
    Math.max(
      0,
      list.findIndex((f) => f.identity === props.start.identity),
    ),
  );
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const item = list[index]!;

  useEffect(() => {
    let live = true;
    setLoaded({ state: "loading" });
    (async () => {
      try {
        const info = await props.load(item);
        const html = info.kind === "text" ? await loadText(info, item.ext) : undefined;
        if (live) setLoaded({ state: "ready", info, html });
      } catch (e) {
        if (!live) return;
        setLoaded(e instanceof ApiError && e.code === NO_PREVIEW ? { state: "none" } : { state: "error", message: describeError(e, lang) });
      }
    })();
    return () => void (live = false);
  }, [item.identity]);

  const step = (by: number) => list.length > 1 && setIndex((i) => (i + by + list.length) % list.length);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "ArrowLeft") e.preventDefault(), step(-1);
      if (e.key === "ArrowRight") e.preventDefault(), step(1);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [list.length]);

  const downloadButton = props.download && (
    <button type="button" onClick={() => props.download!(item)} data-testid="preview-download">
      {t.download}
    </button>
  );
  return (
    <Modal
      title={
        <span className="preview-title" data-testid="preview-name">
          {item.name}
        </span>
      }
      onClose={props.onClose}
      testId="preview"
      wide
      footer={
        <div className="preview-foot">
          {list.length > 1 && (
            <>
              <button type="button" onClick={() => step(-1)} aria-label={t.previous} data-testid="preview-prev">
                ‹ {t.previous}
              </button>
              <span className="muted" data-testid="preview-position">
                {index + 1} / {list.length}
              </span>
              <button type="button" onClick={() => step(1)} aria-label={t.next} data-testid="preview-next">
                {t.next} ›
              </button>
            </>
          )}
          <span className="spacer" />
          {downloadButton}
        </div>
      }
    >
      <div className={`preview-body${loaded.state === "ready" ? ` preview-${loaded.info.kind}` : ""}`} data-testid="preview-body">
        {loaded.state === "loading" && <p className="muted">{t.previewLoading}</p>}
        {loaded.state === "error" && (
          <p className="form-error" role="alert">
            {loaded.message}
          </p>
        )}
        {loaded.state === "none" && (
          <div className="preview-none" data-testid="preview-none">
            <p>{t.noPreview}</p>
            {downloadButton}
          </div>
        )}
        {loaded.state === "ready" && <Shown info={loaded.info} html={loaded.html} name={item.name} />}
      </div>
    </Modal>
  );
}

function Shown({ info, html, name }: { info: PreviewInfo; html?: string; name: string }) {
  const { t } = useI18n();
  switch (info.kind) {
    case "image":
      return <img src={info.url} alt={name} data-testid="preview-image" />;
    case "pdf":
      return <iframe src={info.url} title={name} data-testid="preview-pdf" />;
    case "audio":
      // biome-ignore lint/a11y/useMediaCaption: a user's own recordings come without captions
      return <audio src={info.url} controls preload="metadata" data-testid="preview-audio" />;
    case "video":
      // biome-ignore lint/a11y/useMediaCaption: a user's own videos come without captions
      return <video src={info.url} controls preload="metadata" playsInline data-testid="preview-video" />;
    case "text":
      return (
        <>
          {info.size > TEXT_PREVIEW_BYTES && (
            <p className="muted" data-testid="preview-truncated">
              {format(t.previewTruncated, { size: formatBytes(TEXT_PREVIEW_BYTES), total: formatBytes(info.size) })}
            </p>
          )}
          <pre className="preview-text">
            {/* highlight.js escapes the text: this markup holds only its own spans. */}
            <code className="hljs" data-testid="preview-text" dangerouslySetInnerHTML={{ __html: html ?? "" }} />
          </pre>
        </>
      );
  }
}

type Show = (render: (close: () => void) => React.ReactNode) => void;

/**
 * Opens a file as a person expects: its preview among `siblings` (the folder on screen), or, for a
 * type with no preview, its download.
 */
export async function openPreview(item: FileItem, siblings: FileItem[], show: Show, run: (fn: () => Promise<unknown>) => unknown) {
  const download = (f: FileItem) => void run(() => startDownload(() => api.download(f.identity)));
  let first: PreviewInfo;
  try {
    first = await api.preview(item.identity);
  } catch (e) {
    if (e instanceof ApiError && e.code === NO_PREVIEW) return download(item);
    return void run(() => Promise.reject(e));
  }
  show((close) => (
    <PreviewDialog
      items={siblings}
      start={item}
      load={(f) => (f.identity === item.identity && first ? Promise.resolve(first) : api.preview(f.identity))}
      download={download}
      onClose={close}
    />
  ));
}

addFileAction(
  {
    id: "preview",
    label: (t) => t.preview,
    when: (items) => items.length === 1 && !items[0]!.isDir,
    run: ([item], ctx) => void openPreview(item!, [item!], ctx.show, ctx.run),
  },
  "download",
);
