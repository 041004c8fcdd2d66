import { useEffect, useState } from "react";
import { api, type TrashItem } from "../api";
import { format, formatBytes, formatTime, useI18n } from "../i18n";
import { FileIcon, Modal, notifyChanged, useAction, useChanges } from "../ui";

export function Trash() {
  const { t, lang } = useI18n();
  const run = useAction();
  const changes = useChanges();
  const [items, setItems] = useState<TrashItem[]>([]);
  const [total, setTotal] = useState(0);
  const [page, setPage] = useState(1);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirm, setConfirm] = useState<null | "clear" | "delete">(null);
  const pageSize = 100;

  useEffect(() => {
    run(() => api.trashList(page, pageSize)).then((r) => {
      if (!r) return;
      setItems(r.list);
      setTotal(r.total);
      setSelected(new Set());
    });
  }, [page, changes]);

  const ids = [...selected];
  return (
    <section data-testid="trash">
      <div className="toolbar">
        <h1>{t.trash}</h1>
        <button
          type="button"
          disabled={!ids.length}
          onClick={async () => (await run(() => api.trashRestore(ids), t.done)) && notifyChanged()}
          data-testid="trash-restore"
        >
          {t.restore}
        </button>
        <button type="button" className="danger" disabled={!ids.length} onClick={() => setConfirm("delete")} data-testid="trash-delete">
          {t.deleteForever}
        </button>
        <button type="button" className="danger" disabled={!items.length} onClick={() => setConfirm("clear")} data-testid="trash-clear">
          {t.emptyTrash}
        </button>
      </div>
      <table className="files">
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
            <th>{t.name}</th>
            <th className="wide-only">{t.origin}</th>
            <th className="num wide-only">{t.size}</th>
            <th className="wide-only">{t.deletedAt}</th>
            <th className="wide-only">{t.purgeAt}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.identity} data-testid="trash-row" data-name={item.name}>
              <td className="check">
                <input
                  type="checkbox"
                  aria-label={item.name}
                  checked={selected.has(item.identity)}
                  onChange={() => {
                    const next = new Set(selected);
                    if (next.has(item.identity)) next.delete(item.identity);
                    else next.add(item.identity);
                    setSelected(next);
                  }}
                />
              </td>
              <td className="name">
                <FileIcon isDir={item.isDir} ext={item.ext} />
                <span className="name-text">
                  <span>{item.name}</span>
                  <small className="phone-only muted">
                    {item.originPath} · {formatTime(item.deleteTime, lang)}
                  </small>
                </span>
              </td>
              <td className="wide-only muted" data-testid="trash-origin">
                {item.originPath}
              </td>
              <td className="num wide-only">{item.isDir ? "–" : formatBytes(item.size)}</td>
              <td className="wide-only">{formatTime(item.deleteTime, lang)}</td>
              <td className="wide-only">{formatTime(item.purgeTime, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 && <div className="empty">{t.trashEmpty}</div>}
      <div className="list-foot">
        <span>
          {items.length} / {total}
        </span>
        {page > 1 && (
          <button type="button" onClick={() => setPage(page - 1)}>
            ‹
          </button>
        )}
        {page * pageSize < total && (
          <button type="button" onClick={() => setPage(page + 1)}>
            ›
          </button>
        )}
      </div>
      {confirm && (
        <Modal
          title={confirm === "clear" ? t.emptyTrash : t.deleteForever}
          onClose={() => setConfirm(null)}
          testId="confirm-dialog"
          footer={
            <>
              <button type="button" onClick={() => setConfirm(null)}>
                {t.cancel}
              </button>
              <button
                type="button"
                className="danger"
                data-testid="confirm-ok"
                onClick={async () => {
                  const r = await run(() => (confirm === "clear" ? api.trashClear() : api.trashDelete(ids)), t.done);
                  setConfirm(null);
                  if (r) notifyChanged();
                }}
              >
                {t.ok}
              </button>
            </>
          }
        >
          <p>{confirm === "clear" ? t.confirmEmpty : format(t.confirmDeleteForever, { n: ids.length })}</p>
        </Modal>
      )}
    </section>
  );
}
