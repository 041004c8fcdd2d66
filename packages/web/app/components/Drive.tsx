import { useCallback, useEffect, useRef, useState } from "react";
import { api, type FileItem, type PathEntry } from "../api";
import { format, formatBytes, formatTime, useI18n } from "../i18n";
import { FileIcon, Modal, navigate, notifyChanged, PromptDialog, useAction, useChanges } from "../ui";
import { filesFromDrop, filesFromInput, uploads } from "../upload";
import { ShareDialog } from "./Shares";

const PAGE_SIZE = 100;
type OrderBy = "name" | "size" | "create_time" | "update_time";

export async function startDownload(getUrl: () => Promise<{ url: string }>) {
  const { url } = await getUrl();
  const a = document.createElement("a");
  a.href = url;
  a.rel = "noopener";
  a.download = "";
  document.body.appendChild(a);
  a.click();
  a.remove();
}

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
  const [dialog, setDialog] = useState<
    | null
    | { kind: "mkdir" }
    | { kind: "rename"; item: FileItem }
    | { kind: "move" | "copy"; ids: string[] }
    | { kind: "share"; item: FileItem }
    | { kind: "delete"; ids: string[] }
  >(null);
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const loadSeq = useRef(0);

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
        if (!more) setSelected(new Set());
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

  const sortBy = (key: OrderBy) => {
    if (orderBy === key) setOrder(order === "asc" ? "desc" : "asc");
    else setOrderBy(key), setOrder("asc");
  };
  const arrow = (key: OrderBy) => (orderBy === key ? (order === "asc" ? " ▲" : " ▼") : "");
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };
  const open = (item: FileItem) =>
    item.isDir ? navigate(`/folder/${item.identity}`) : run(() => startDownload(() => api.download(item.identity)));
  const selectedItems = items.filter((i) => selected.has(i.identity));
  const hasMore = items.length < total;

  const onDrop = async (e: React.DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const entries = await filesFromDrop(e.dataTransfer);
    if (entries.length) uploads.add(entries, folderId);
  };

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
        <a href="/" onClick={(e) => (e.preventDefault(), navigate("/"))}>
          {t.root}
        </a>
        {path.map((p) => (
          <span key={p.identity}>
            <span className="sep">›</span>
            <a href={`/folder/${p.identity}`} onClick={(e) => (e.preventDefault(), navigate(`/folder/${p.identity}`))}>
              {p.name}
            </a>
          </span>
        ))}
      </nav>
      <div className="toolbar">
        <button className="primary" onClick={() => fileInput.current?.click()} data-testid="upload-files">
          ⤒ {t.upload}
        </button>
        <button onClick={() => folderInput.current?.click()} data-testid="upload-folder">
          {t.uploadFolder}
        </button>
        <button onClick={() => setDialog({ kind: "mkdir" })} data-testid="new-folder">
          ＋ {t.newFolder}
        </button>
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
            <span>{format(t.selected, { n: selectedItems.length })}</span>
            {selectedItems.length === 1 && (
              <button onClick={() => setDialog({ kind: "rename", item: selectedItems[0] })} data-testid="action-rename">
                {t.rename}
              </button>
            )}
            <button onClick={() => setDialog({ kind: "move", ids: [...selected] })} data-testid="action-move">
              {t.move}
            </button>
            <button onClick={() => setDialog({ kind: "copy", ids: [...selected] })} data-testid="action-copy">
              {t.copy}
            </button>
            {selectedItems.length === 1 && (
              <button onClick={() => setDialog({ kind: "share", item: selectedItems[0] })} data-testid="action-share">
                {t.share}
              </button>
            )}
            {selectedItems.length === 1 && !selectedItems[0].isDir && (
              <button onClick={() => run(() => startDownload(() => api.download(selectedItems[0].identity)))} data-testid="action-download">
                {t.download}
              </button>
            )}
            <button className="danger" onClick={() => setDialog({ kind: "delete", ids: [...selected] })} data-testid="action-delete">
              {t.delete}
            </button>
          </div>
        )}
      </div>
      <table className="files" data-testid="file-list">
        <thead>
          <tr>
            <th className="check">
              <input
                type="checkbox"
                aria-label={t.selectAll}
                checked={items.length > 0 && selected.size === items.length}
                onChange={(e) => setSelected(e.target.checked ? new Set(items.map((i) => i.identity)) : new Set())}
              />
            </th>
            <th>
              <button className="sort" onClick={() => sortBy("name")} data-testid="sort-name">
                {t.name}
                {arrow("name")}
              </button>
            </th>
            <th className="num">
              <button className="sort" onClick={() => sortBy("size")} data-testid="sort-size">
                {t.size}
                {arrow("size")}
              </button>
            </th>
            <th>
              <button className="sort" onClick={() => sortBy("update_time")} data-testid="sort-update_time">
                {t.modified}
                {arrow("update_time")}
              </button>
            </th>
            <th className="actions">{t.actions}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.identity} className={selected.has(item.identity) ? "selected" : ""} data-testid="file-row" data-name={item.name}>
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
                <a href={item.isDir ? `/folder/${item.identity}` : "#"} onClick={(e) => (e.preventDefault(), open(item))}>
                  {item.name}
                </a>
              </td>
              <td className="num">{item.isDir ? "–" : formatBytes(item.size)}</td>
              <td>{formatTime(item.updateTime, lang)}</td>
              <td className="actions">
                <button className="link" onClick={() => setDialog({ kind: "rename", item })} data-testid="row-rename">
                  {t.rename}
                </button>
                <button className="link" onClick={() => setDialog({ kind: "share", item })} data-testid="row-share">
                  {t.share}
                </button>
                <button
                  className="link danger"
                  onClick={() => setDialog({ kind: "delete", ids: [item.identity] })}
                  data-testid="row-delete"
                >
                  {t.delete}
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
          <button onClick={() => load(true)} disabled={loading} data-testid="load-more">
            {t.loadMore}
          </button>
        )}
      </div>
      {dragging && <div className="drop-hint">{t.dropHere}</div>}

      {dialog?.kind === "mkdir" && (
        <PromptDialog
          title={t.newFolder}
          label={t.folderName}
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            const r = await run(() => api.mkdir(name, folderId));
            if (r) notifyChanged();
            return !!r;
          }}
        />
      )}
      {dialog?.kind === "rename" && (
        <PromptDialog
          title={t.rename}
          label={t.newName}
          initial={dialog.item.name}
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            if (name === dialog.item.name) return true;
            const r = await run(() => api.rename(dialog.item.identity, name));
            if (r) notifyChanged();
            return !!r;
          }}
        />
      )}
      {(dialog?.kind === "move" || dialog?.kind === "copy") && (
        <FolderPicker
          title={dialog.kind === "move" ? t.move : t.copy}
          confirm={dialog.kind === "move" ? t.moveHere : t.copyHere}
          exclude={new Set(dialog.ids)}
          onClose={() => setDialog(null)}
          onPick={async (target) => {
            const r = await run<unknown>(
              () => (dialog.kind === "move" ? api.move(dialog.ids, target) : api.copy(dialog.ids, target)),
              t.done,
            );
            if (r) notifyChanged(), setDialog(null);
          }}
        />
      )}
      {dialog?.kind === "share" && <ShareDialog item={dialog.item} onClose={() => setDialog(null)} />}
      {dialog?.kind === "delete" && (
        <Modal
          title={t.delete}
          onClose={() => setDialog(null)}
          testId="confirm-dialog"
          footer={
            <>
              <button onClick={() => setDialog(null)}>{t.cancel}</button>
              <button
                className="danger"
                data-testid="confirm-ok"
                onClick={async () => {
                  const r = await run(() => api.remove(dialog.ids), t.deleted);
                  setDialog(null);
                  if (r) notifyChanged();
                }}
              >
                {t.delete}
              </button>
            </>
          }
        >
          <p>{format(t.confirmDelete, { n: dialog.ids.length })}</p>
        </Modal>
      )}
    </section>
  );
}

/** Lazily loaded folder tree: the sidebar's navigation and the target chooser of move, copy and save. */
export function FolderTree(props: {
  selected: string;
  onSelect(id: string): void;
  exclude?: Set<string>;
  rootLabel: string;
  reloadKey?: number;
  testId?: string;
  follow?: boolean;
}) {
  const [children, setChildren] = useState<Record<string, FileItem[] | undefined>>({});
  const [open, setOpen] = useState<Set<string>>(new Set(["0"]));
  const loadChildren = async (id: string, force = false) => {
    if (children[id] && !force) return;
    const folders: FileItem[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const res = await api.list({ parentId: id, pageSize: 1000, orderBy: "name", order: "asc", cursor });
      folders.push(...res.list.filter((f) => f.isDir));
      // folders come first: stop at the first file or the end
      if (res.list.some((f) => !f.isDir) || !res.nextCursor || res.list.length === 0) break;
      cursor = res.nextCursor;
    }
    setChildren((c) => ({ ...c, [id]: folders }));
  };
  useEffect(() => {
    for (const id of open) loadChildren(id, true).catch(() => undefined);
  }, [props.reloadKey]);
  // `follow`: unfold the tree down to the selected folder (the sidebar follows navigation).
  useEffect(() => {
    if (!props.follow || !props.selected || props.selected === "0") return;
    api.detail(props.selected).then(
      ({ path }) => {
        const ids = ["0", ...path.map((p) => p.identity)];
        if (ids[ids.length - 1] !== props.selected) ids.push(props.selected);
        setOpen((prev) => new Set([...prev, ...ids]));
        for (const id of ids) loadChildren(id).catch(() => undefined);
      },
      () => undefined,
    );
  }, [props.selected, props.follow]);
  const node = (id: string, name: string, depth: number): React.ReactNode => {
    const isOpen = open.has(id);
    const kids = children[id];
    return (
      <li key={id}>
        <div className={`tree-row${props.selected === id ? " active" : ""}`} style={{ paddingLeft: depth * 14 }}>
          <button
            className="twisty"
            aria-label={isOpen ? "collapse" : "expand"}
            onClick={() => {
              const next = new Set(open);
              if (isOpen) next.delete(id);
              else next.add(id), loadChildren(id).catch(() => undefined);
              setOpen(next);
            }}
          >
            {kids && kids.length === 0 ? "·" : isOpen ? "▾" : "▸"}
          </button>
          <button className="tree-label" onClick={() => props.onSelect(id)} data-testid="tree-folder" data-name={name}>
            📁 {name}
          </button>
        </div>
        {isOpen && kids && <ul>{kids.filter((f) => !props.exclude?.has(f.identity)).map((f) => node(f.identity, f.name, depth + 1))}</ul>}
      </li>
    );
  };
  return (
    <ul className="tree" data-testid={props.testId}>
      {node("0", props.rootLabel, 0)}
    </ul>
  );
}

/** Folder chooser for move, copy and save-from-share. */
export function FolderPicker(props: {
  title: string;
  confirm: string;
  exclude?: Set<string>;
  onPick(target: string): void | Promise<void>;
  onClose(): void;
}) {
  const { t } = useI18n();
  const [target, setTarget] = useState("0");
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      title={props.title}
      onClose={props.onClose}
      testId="folder-picker"
      footer={
        <>
          <button onClick={props.onClose}>{t.cancel}</button>
          <button
            className="primary"
            disabled={busy}
            data-testid="picker-ok"
            onClick={async () => {
              setBusy(true);
              await props.onPick(target);
              setBusy(false);
            }}
          >
            {props.confirm}
          </button>
        </>
      }
    >
      <p className="muted">{t.chooseTarget}</p>
      <FolderTree selected={target} onSelect={setTarget} exclude={props.exclude} rootLabel={t.root} />
    </Modal>
  );
}
