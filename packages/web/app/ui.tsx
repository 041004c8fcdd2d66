import { useCallback, useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { describeError, useI18n, type Lang, type Messages } from "./i18n";

/** Tiny router on the History API (the gateway answers every console path with index.html). */
const routeListeners = new Set<() => void>();
window.addEventListener("popstate", () => routeListeners.forEach((l) => l()));
export function navigate(to: string, replace = false) {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  routeListeners.forEach((l) => l());
}
export const useLocation = () =>
  useSyncExternalStore(
    (l) => {
      routeListeners.add(l);
      return () => routeListeners.delete(l);
    },
    () => location.pathname + location.search,
  );

/** "Something in the drive changed": lists and the quota bar reload. */
const changeListeners = new Set<() => void>();
export const notifyChanged = () => changeListeners.forEach((l) => l());
export function useChanges(): number {
  const [n, setN] = useState(0);
  useEffect(() => {
    const l = () => setN((x) => x + 1);
    changeListeners.add(l);
    return () => void changeListeners.delete(l);
  }, []);
  return n;
}

type Toast = { id: number; text: string; kind: "ok" | "error"; action?: ToastAction };
/** A button on a toast (Undo). */
export type ToastAction = { label: string; run(): void };
let toasts: Toast[] = [];
let toastId = 0;
const toastListeners = new Set<() => void>();
const dismiss = (id: number) => {
  toasts = toasts.filter((t) => t.id !== id);
  toastListeners.forEach((l) => l());
};
export function toast(text: string, kind: Toast["kind"] = "ok", action?: ToastAction) {
  const id = ++toastId;
  toasts = [...toasts, { id, text, kind, action }];
  toastListeners.forEach((l) => l());
  // A toast with a button stays long enough to reach it.
  setTimeout(() => dismiss(id), kind === "error" || action ? 7000 : 3500);
}
/** At the bottom of the page, so a message never hides the toolbar it is about. */
export function Toasts() {
  const list = useSyncExternalStore(
    (l) => {
      toastListeners.add(l);
      return () => toastListeners.delete(l);
    },
    () => toasts,
  );
  return (
    <div className="toasts" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`} role={t.kind === "error" ? "alert" : "status"} data-testid={`toast-${t.kind}`}>
          <span>{t.text}</span>
          {t.action && (
            <button type="button" className="link" onClick={() => (dismiss(t.id), t.action!.run())} data-testid="toast-action">
              {t.action.label}
            </button>
          )}
        </div>
      ))}
    </div>
  );
}

/** One entry of a menu ("…" and right-click menus, built from one list of actions). */
export interface MenuItem {
  id: string;
  label: string;
  danger?: boolean;
  run(): void;
}

/** A popup menu at a point (right-click) or under its button ("…"); closes on a pick, Escape, a click outside or a scroll. */
export function Menu({ x, y, items, onClose }: { x: number; y: number; items: MenuItem[]; onClose(): void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [pos, setPos] = useState({ left: x, top: y });
  useLayoutEffect(() => {
    // Kept inside the viewport: a menu opened near an edge opens the other way.
    const r = ref.current!.getBoundingClientRect();
    setPos({
      left: Math.max(4, Math.min(x, window.innerWidth - r.width - 4)),
      top: y + r.height > window.innerHeight - 4 ? Math.max(4, y - r.height) : y,
    });
    ref.current!.querySelector<HTMLButtonElement>("button")?.focus();
  }, [x, y]);
  useEffect(() => {
    const close = (e: Event) => !ref.current?.contains(e.target as Node) && onClose();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") return (e.stopPropagation(), onClose());
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
      e.preventDefault();
      const buttons = [...ref.current!.querySelectorAll<HTMLButtonElement>("button")];
      const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
      buttons[(at + (e.key === "ArrowDown" ? 1 : buttons.length - 1)) % buttons.length]?.focus();
    };
    window.addEventListener("mousedown", close, true);
    window.addEventListener("touchstart", close, true);
    window.addEventListener("scroll", onClose, true);
    window.addEventListener("resize", onClose);
    window.addEventListener("keydown", onKey, true);
    return () => {
      window.removeEventListener("mousedown", close, true);
      window.removeEventListener("touchstart", close, true);
      window.removeEventListener("scroll", onClose, true);
      window.removeEventListener("resize", onClose);
      window.removeEventListener("keydown", onKey, true);
    };
  }, [onClose]);
  return (
    <div ref={ref} className="menu" role="menu" style={pos} data-testid="menu">
      {items.map((item) => (
        <button
          type="button"
          key={item.id}
          role="menuitem"
          className={item.danger ? "danger" : ""}
          onClick={() => (onClose(), item.run())}
          data-testid={`menu-${item.id}`}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}

/** Where a menu opens: at the pointer for a right-click, under the button for "…". */
export function menuPoint(e: React.MouseEvent): { x: number; y: number } {
  if (e.type === "contextmenu") return { x: e.clientX, y: e.clientY };
  const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
  return { x: r.right - 180, y: r.bottom + 2 };
}

/** Runs an action and reports its business error as a translated toast. */
export function useAction() {
  const { lang } = useI18n();
  return async function run<T>(fn: () => Promise<T>, success?: string): Promise<T | undefined> {
    try {
      const result = await fn();
      if (success) toast(success);
      return result;
    } catch (e) {
      toast(describeError(e, lang), "error");
      return undefined;
    }
  };
}

/** What an action of the drive gets (actions.tsx, and the dialogs it opens such as Conflicts.tsx). */
export interface ActionContext {
  /** The folder on screen ("0" for the root). */
  folderId: string;
  t: Messages;
  lang: Lang;
  /** Runs a request; a business error becomes a toast and the result undefined. */
  run: ReturnType<typeof useAction>;
  /** Shows a dialog until it calls `close`. */
  show(render: (close: () => void) => ReactNode): void;
}

/** Dialogs shown by actions: a stack, so that a question asked from a dialog (a name clash) returns to it. */
export function useOverlays() {
  const [stack, setStack] = useState<{ id: number; node: ReactNode }[]>([]);
  const next = useRef(0);
  const show = useCallback((render: (close: () => void) => ReactNode) => {
    const id = ++next.current;
    const close = () => setStack((s) => s.filter((o) => o.id !== id));
    setStack((s) => [...s, { id, node: render(close) }]);
  }, []);
  return { overlays: stack.map((o) => <div key={o.id}>{o.node}</div>), show, open: stack.length > 0 };
}

export function Modal(props: {
  title: ReactNode;
  onClose(): void;
  children: ReactNode;
  footer?: ReactNode;
  testId?: string;
  wide?: boolean;
}) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [props.onClose]);
  return (
    <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}>
      <div className={`modal${props.wide ? " wide" : ""}`} role="dialog" aria-modal="true" data-testid={props.testId}>
        <header>
          <h2>{props.title}</h2>
          <button type="button" className="icon" aria-label="close" onClick={props.onClose}>
            ×
          </button>
        </header>
        <div className="modal-body">{props.children}</div>
        {props.footer && <footer>{props.footer}</footer>}
      </div>
    </div>
  );
}

/** A one-field dialog (new folder, rename). */
export function PromptDialog(props: {
  title: string;
  label: string;
  initial?: string;
  onSubmit(value: string): Promise<boolean | void>;
  onClose(): void;
}) {
  const { t } = useI18n();
  const [value, setValue] = useState(props.initial ?? "");
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (!value.trim()) return;
    setBusy(true);
    const ok = await props.onSubmit(value.trim());
    setBusy(false);
    if (ok !== false) props.onClose();
  };
  return (
    <Modal
      title={props.title}
      onClose={props.onClose}
      testId="prompt-dialog"
      footer={
        <>
          <button type="button" onClick={props.onClose}>
            {t.cancel}
          </button>
          <button type="button" className="primary" disabled={busy || !value.trim()} onClick={submit} data-testid="prompt-ok">
            {t.ok}
          </button>
        </>
      }
    >
      <label className="field">
        <span>{props.label}</span>
        <input
          autoFocus
          value={value}
          onChange={(e) => setValue(e.target.value)}
          onKeyDown={(e) => e.key === "Enter" && submit()}
          onFocus={(e) => {
            const dot = e.target.value.lastIndexOf(".");
            e.target.setSelectionRange(0, dot > 0 ? dot : e.target.value.length);
          }}
          data-testid="prompt-input"
        />
      </label>
    </Modal>
  );
}

export function Progress({ value, label, testId }: { value: number; label?: string; testId?: string }) {
  const pct = Math.max(0, Math.min(1, value || 0)) * 100;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(pct)}
      aria-label={label}
      data-testid={testId}
    >
      <div style={{ width: `${pct}%` }} />
    </div>
  );
}

export function FileIcon({ isDir, ext }: { isDir: boolean; ext?: string }) {
  const e = (ext ?? "").toLowerCase().replace(/^\./, "");
  const glyph = isDir
    ? "📁"
    : /^(png|jpe?g|gif|webp|svg|bmp|heic)$/.test(e)
      ? "🖼️"
      : /^(mp4|mov|mkv|avi|webm)$/.test(e)
        ? "🎬"
        : /^(mp3|wav|flac|aac|ogg)$/.test(e)
          ? "🎵"
          : /^(zip|rar|7z|tar|gz|tgz)$/.test(e)
            ? "🗜️"
            : /^(pdf)$/.test(e)
              ? "📕"
              : /^(docx?|txt|md|rtf|odt)$/.test(e)
                ? "📄"
                : /^(xlsx?|csv|ods)$/.test(e)
                  ? "📊"
                  : "📄";
  return (
    <span className="file-icon" aria-hidden>
      {glyph}
    </span>
  );
}

export async function copyText(text: string) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}

/** Highlights matches: the server's <em>/<mark> fragments when given, else the keyword's occurrences. */
export function Highlight({ text, keyword, server }: { text: string; keyword?: string; server?: unknown }) {
  const fragment = Array.isArray(server)
    ? server[0]
    : typeof server === "object" && server
      ? Object.values(server as object).flat()[0]
      : server;
  if (typeof fragment === "string" && /<(em|mark)>/i.test(fragment)) {
    const parts = fragment.split(/<\/?(?:em|mark)>/i);
    return <>{parts.map((p, i) => (i % 2 ? <mark key={i}>{p}</mark> : <span key={i}>{p}</span>))}</>;
  }
  const k = (keyword ?? "").trim();
  if (!k) return <>{text}</>;
  const lower = text.toLowerCase();
  const out: ReactNode[] = [];
  let pos = 0;
  for (let i = lower.indexOf(k.toLowerCase()); i >= 0; i = lower.indexOf(k.toLowerCase(), pos)) {
    if (i > pos) out.push(<span key={`t${pos}`}>{text.slice(pos, i)}</span>);
    out.push(<mark key={`m${i}`}>{text.slice(i, i + k.length)}</mark>);
    pos = i + k.length;
  }
  out.push(<span key="end">{text.slice(pos)}</span>);
  return <>{out}</>;
}

/** The language toggle of every page's header (the console's and a share's). */
export function LangSwitch() {
  const { lang, t, setLang } = useI18n();
  return (
    <button type="button" className="link lang" onClick={() => setLang(lang === "zh" ? "en" : "zh")} data-testid="lang-switch">
      {t.language}
    </button>
  );
}
