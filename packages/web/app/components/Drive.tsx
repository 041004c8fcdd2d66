import { useCallback, useEffect, useRef, useState } from "react";
import { api, type FileItem, type PathEntry } from "../api";
import { format, formatBytes, formatTime, useI18n } from "../i18n";
import {
  FileIcon,
  Menu,
  menuPoint,
  navigate,
  notifyChanged,
  PromptDialog,
  useAction,
  useChanges,
  useOverlays,
  type ActionContext,
  type MenuItem,
} from "../ui";
import { filesFromDrop, filesFromInput, uploads } from "../upload";
import { actionsFor, deleteItems, fileActions, transferItems } from "../actions";
import { dropTarget, setDropHandler, startDrag } from "../drag";
import { namesIn } from "./Conflicts";
// Registers the "Versions" entry of a file's menu.
import "./Versions";
import "./Zip";
import { openPreview } from "./Preview";
import { Grid, useViewMode, ViewToggle } from "./Grid";

export { startDownload } from "../actions";
export { FolderPicker, FolderTree } from "./FolderPicker";

const PAGE_SIZE = 100;
type OrderBy = "name" | "size" | "create_time" | "update_time";

/** Typing in a field is not a shortcut. */
const typing = (e: KeyboardEvent) => {
  const el = e.target as HTMLElement | null;
  return !!el && (el.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName));
};

export function Drive({ folderId }: { folderId: string }) {
  const { t, lang } = useI18n();
  const run = useAction();
  const changes = useChanges();
  const [items, setItems] = useState<FileItem[]>([]);
  const [total, setTotal] = useState(0);
  const [cursor, setCursor] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const [loading, setLoading] = useState(false);
  const [orderBy, setOrderBy] = useState<OrderBy>("name");
  const [order, setOrder] = useState<"asc" | "desc">("asc");
  const [path, setPath] = useState<PathEntry[]>([]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  /** Every item of the folder, once "select all N" is chosen in a folder larger than what is loaded. */
  const [everything, setEverything] = useState<FileItem[] | null>(null);
  const anchor = useRef(-1);
  const [menu, setMenu] = useState<{ x: number; y: number; items: FileItem[] } | null>(null);
  const [dragging, setDragging] = useState(false);
  const { overlays, show, open: dialogOpen } = useOverlays();
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const loadSeq = useRef(0);
  const ctx: ActionContext = { folderId, t, lang, run, show };

  const load = useCallback(
    async (more = false) => {
      const seq = ++loadSeq.current;
      setLoading(true);
      try {
        const nextPage = more ? page + 1 : 1;
        const res = await api.list({
          parentId: folderId,
          pageSize: PAGE_SIZE,
          orderBy,
          order,
          ...(more && cursor ? { cursor } : { page: nextPage }),
        });
        if (seq !== loadSeq.current) return;
        setItems((prev) => (more ? [...prev, ...res.list] : res.list));
        setTotal(res.total);
        setCursor(res.nextCursor ?? null);
        setPage(nextPage);
        if (!more) setSelected(new Set()), setEverything(null), (anchor.current = -1);
      } catch (e) {
        if (seq === loadSeq.current) await run(() => Promise.reject(e));
      } finally {
        if (seq === loadSeq.current) setLoading(false);
      }
    },
    [folderId, orderBy, order, cursor, page],
  );

  useEffect(() => {
    load(false);
  }, [folderId, orderBy, order, changes]);

  useEffect(() => {
    if (folderId === "0") return setPath([]);
    api.detail(folderId).then(
      (d) =>
        setPath(
          d.path.length && d.path[d.path.length - 1].identity === folderId
            ? d.path
            : [...d.path, { identity: folderId, name: d.file.name }],
        ),
      (e) => run(() => Promise.reject(e)),
    );
  }, [folderId]);

  useEffect(() => {
    const off = uploads.onCompleted(() => notifyChanged());
    return () => void off();
  }, []);

  const selectedItems = everything ?? items.filter((i) => selected.has(i.identity));
  const act = (id: string, on = selectedItems) => {
    const action = fileActions.find((a) => a.id === id);
    if (action?.when(on)) void action.run(on, ctx);
  };
  // A file opens in its preview (a type with none downloads), among the folder's files.
  const open = (item: FileItem) => (item.isDir ? act("open", [item]) : void openPreview(item, items, show, run));
  const [view, setView] = useViewMode();

  // A drop on a folder (row, breadcrumb, sidebar tree) moves there.
  useEffect(() => setDropHandler((dropped, target) => void transferItems("move", dropped, target, ctx)), [folderId, lang]);

  const selectOnly = (ids: string[]) => (setSelected(new Set(ids)), setEverything(null));
  const clickRow = (e: React.MouseEvent, index: number) => {
    if ((e.target as HTMLElement).closest("a, button, input, label")) return;
    const id = items[index].identity;
    if (e.shiftKey && anchor.current >= 0) {
      const [from, to] = [Math.min(anchor.current, index), Math.max(anchor.current, index)];
      const range = items.slice(from, to + 1).map((i) => i.identity);
      selectOnly(e.ctrlKey || e.metaKey ? [...selected, ...range] : range);
      return;
    }
    anchor.current = index;
    if (e.ctrlKey || e.metaKey) toggle(id);
    else selectOnly([id]);
  };
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
    setEverything(null);
  };
  /** The "…" and right-click menus act on the selection when the row is part of it, else on the row alone. */
  const openMenu = (e: React.MouseEvent, item?: FileItem) => {
    e.preventDefault();
    e.stopPropagation();
    let on = selectedItems;
    if (item && !selected.has(item.identity)) selectOnly([item.identity]), (on = [item]);
    if (on.length) setMenu({ ...menuPoint(e), items: on });
  };
  const menuItems = (on: FileItem[]): MenuItem[] =>
    actionsFor(on).map((a) => ({ id: a.id, label: a.label(t), danger: a.danger, run: () => void a.run(on, ctx) }));

  // Keyboard: Delete, F2, Enter, Ctrl/⌘+A, Escape, arrows (Shift extends). `/` (search) is the shell's.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (dialogOpen || menu || typing(e)) return;
      const key = e.key;
      if ((e.ctrlKey || e.metaKey) && key.toLowerCase() === "a") return (e.preventDefault(), selectOnly(items.map((i) => i.identity)));
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      if (key === "Delete" && selectedItems.length) return (e.preventDefault(), void deleteItems(selectedItems, ctx));
      if (key === "F2") return (e.preventDefault(), act("rename"));
      if (key === "Enter" && selectedItems.length === 1) return (e.preventDefault(), open(selectedItems[0]));
      if (key === "Escape") return selectOnly([]);
      if ((key === "ArrowDown" || key === "ArrowUp") && items.length) {
        e.preventDefault();
        const at = anchor.current < 0 ? (key === "ArrowDown" ? -1 : items.length) : anchor.current;
        const index = Math.max(0, Math.min(items.length - 1, at + (key === "ArrowDown" ? 1 : -1)));
        anchor.current = index;
        if (e.shiftKey) toggleOn(items[index].identity);
        else selectOnly([items[index].identity]);
        document.querySelectorAll<HTMLElement>('[data-testid="file-row"]')[index]?.scrollIntoView({ block: "nearest" });
      }
    };
    const toggleOn = (id: string) => setSelected((s) => new Set([...s, id]));
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const selectEverything = async () => {
    const all = await run(async () => [...(await namesIn(folderId)).values()]);
    if (all) setEverything(all), setSelected(new Set(all.map((i) => i.identity)));
  };

  const sortBy = (key: OrderBy) => {
    if (orderBy === key) setOrder(order === "asc" ? "desc" : "asc");
    else setOrderBy(key), setOrder("asc");
  };
  const arrow = (key: OrderBy) => (orderBy === key ? (order === "asc" ? " ▲" : " ▼") : "");
  const hasMore = items.length < total;
  const pageAllSelected = items.length > 0 && items.every((i) => selected.has(i.identity));

  const onDrop = async (e: React.DragEvent) => {
    if (!e.dataTransfer.types.includes("Files")) return;
    e.preventDefault();
    setDragging(false);
    const entries = await filesFromDrop(e.dataTransfer);
    if (entries.length) uploads.add(entries, folderId);
  };
  const sortHeader = (key: OrderBy, label: string) => (
    <button type="button" className="sort" onClick={() => sortBy(key)} data-testid={`sort-${key}`}>
      {label}
      {arrow(key)}
    </button>
  );

  return (
    <section
      className={`drive${dragging ? " dragging" : ""}`}
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes("Files")) e.preventDefault(), setDragging(true);
      }}
      onDragLeave={(e) => e.currentTarget === e.target && setDragging(false)}
      onDrop={onDrop}
      data-testid="drive"
    >
      <nav className="breadcrumb" aria-label="breadcrumb" data-testid="breadcrumb">
        <a href="/" onClick={(e) => (e.preventDefault(), navigate("/"))} {...dropTarget("0")} data-testid="crumb" data-name={t.root}>
          {t.root}
        </a>
        {path.map((p) => (
          <span key={p.identity}>
            <span className="sep">›</span>
            <a
              href={`/folder/${p.identity}`}
              onClick={(e) => (e.preventDefault(), navigate(`/folder/${p.identity}`))}
              {...dropTarget(p.identity)}
              data-testid="crumb"
              data-name={p.name}
            >
              {p.name}
            </a>
          </span>
        ))}
      </nav>
      <div className="toolbar" data-testid="toolbar">
        <button type="button" className="primary" onClick={() => fileInput.current?.click()} data-testid="upload-files">
          ⤒ {t.upload}
        </button>
        <button type="button" onClick={() => folderInput.current?.click()} data-testid="upload-folder">
          {t.uploadFolder}
        </button>
        <button
          type="button"
          onClick={() =>
            show((close) => (
              <PromptDialog
                title={t.newFolder}
                label={t.folderName}
                onClose={close}
                onSubmit={async (name) => {
                  const r = await run(() => api.mkdir(name, folderId));
                  if (r) notifyChanged();
                  return !!r;
                }}
              />
            ))
          }
          data-testid="new-folder"
        >
          ＋ {t.newFolder}
        </button>
        <ViewToggle mode={view} onChange={setView} />
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => (uploads.add(filesFromInput(e.target.files), folderId), (e.target.value = ""))}
        />
        <input
          ref={(el) => {
            folderInput.current = el;
            el?.setAttribute("webkitdirectory", "");
          }}
          type="file"
          multiple
          hidden
          data-testid="folder-input"
          onChange={(e) => (uploads.add(filesFromInput(e.target.files), folderId), (e.target.value = ""))}
        />
        {selectedItems.length > 0 && (
          <div className="selection" data-testid="selection-bar">
            <span data-testid="selection-count">{format(t.selected, { n: selectedItems.length })}</span>
            {actionsFor(selectedItems)
              .filter((a) => a.toolbar)
              .map((a) => (
                <button
                  type="button"
                  key={a.id}
                  className={`wide-only${a.danger ? " danger" : ""}`}
                  onClick={() => void a.run(selectedItems, ctx)}
                  data-testid={`action-${a.id}`}
                >
                  {a.label(t)}
                </button>
              ))}
            <button type="button" className="icon more" aria-label={t.more} onClick={(e) => openMenu(e)} data-testid="selection-menu">
              ⋯
            </button>
            <button
              type="button"
              className="icon"
              aria-label={t.clearSelection}
              onClick={() => selectOnly([])}
              data-testid="selection-clear"
            >
              ×
            </button>
          </div>
        )}
      </div>
      {pageAllSelected && hasMore && (
        <div className="select-all-banner" data-testid="select-all-banner">
          {everything ? (
            <>
              <span>{format(t.allSelected, { n: everything.length })}</span>
              <button type="button" className="link" onClick={() => selectOnly([])}>
                {t.clearSelection}
              </button>
            </>
          ) : (
            <>
              <span>{format(t.pageSelected, { n: items.length })}</span>
              <button type="button" className="link" onClick={selectEverything} data-testid="select-everything">
                {format(t.selectAllN, { n: total })}
              </button>
            </>
          )}
        </div>
      )}
      {view === "grid" && (
        <Grid
          items={items}
          selected={selected}
          onToggle={toggle}
          onOpen={open}
          tileProps={(item, index) => ({
            onClick: (e) => clickRow(e, index),
            onDoubleClick: (e) => !(e.target as HTMLElement).closest("a, button, input") && open(item),
            onContextMenu: (e) => openMenu(e, item),
            draggable: true,
            onDragStart: (e) => startDrag(e, selected.has(item.identity) ? selectedItems : [item]),
            ...(item.isDir ? dropTarget(item.identity) : {}),
          })}
        />
      )}
      <table className="files" data-testid="file-list" hidden={view === "grid"}>
        <thead>
          <tr>
            <th className="check">
              <input
                type="checkbox"
                aria-label={t.selectAll}
                checked={pageAllSelected}
                onChange={(e) => selectOnly(e.target.checked ? items.map((i) => i.identity) : [])}
                data-testid="check-all"
              />
            </th>
            <th>{sortHeader("name", t.name)}</th>
            <th className="num wide-only">{sortHeader("size", t.size)}</th>
            <th className="wide-only">{sortHeader("update_time", t.modified)}</th>
            <th className="actions">
              <span className="sr-only">{t.actions}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((item, index) => (
            <tr
              key={item.identity}
              className={selected.has(item.identity) ? "selected" : ""}
              aria-selected={selected.has(item.identity)}
              data-testid="file-row"
              data-name={item.name}
              // Focusable, so a click takes the focus from a field and the keys act on the rows.
              tabIndex={-1}
              onClick={(e) => clickRow(e, index)}
              onDoubleClick={(e) => !(e.target as HTMLElement).closest("a, button, input") && open(item)}
              onContextMenu={(e) => openMenu(e, item)}
              draggable
              onDragStart={(e) => startDrag(e, selected.has(item.identity) ? selectedItems : [item])}
              {...(item.isDir ? dropTarget(item.identity) : {})}
            >
              <td className="check">
                <input
                  type="checkbox"
                  aria-label={item.name}
                  checked={selected.has(item.identity)}
                  onChange={() => toggle(item.identity)}
                />
              </td>
              <td className="name">
                <FileIcon isDir={item.isDir} ext={item.ext} />
                <span className="name-text">
                  <a
                    href={item.isDir ? `/folder/${item.identity}` : "#"}
                    onClick={(e) => (e.preventDefault(), open(item))}
                    draggable={false}
                  >
                    {item.name}
                  </a>
                  <small className="phone-only muted">
                    {item.isDir ? "" : `${formatBytes(item.size)} · `}
                    {formatTime(item.updateTime, lang)}
                  </small>
                </span>
              </td>
              <td className="num wide-only">{item.isDir ? "–" : formatBytes(item.size)}</td>
              <td className="wide-only">{formatTime(item.updateTime, lang)}</td>
              <td className="actions">
                <button type="button" className="icon more" aria-label={t.more} onClick={(e) => openMenu(e, item)} data-testid="row-menu">
                  ⋯
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {!loading && items.length === 0 && (
        <div className="empty" data-testid="empty">
          {t.empty}
        </div>
      )}
      <div className="list-foot">
        <span data-testid="list-count">
          {items.length} / {total} {t.items}
        </span>
        {hasMore && (
          <button type="button" onClick={() => load(true)} disabled={loading} data-testid="load-more">
            {t.loadMore}
          </button>
        )}
      </div>
      {dragging && <div className="drop-hint">{t.dropHere}</div>}
      {menu && <Menu x={menu.x} y={menu.y} items={menuItems(menu.items)} onClose={() => setMenu(null)} />}
      {overlays}
    </section>
  );
}
