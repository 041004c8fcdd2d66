/**
 * A file's versions (the "Versions" entry of a file's menu): the current one first, then the previous
 * ones, each with its size, time and uploader; a previous one can be downloaded, restored (it becomes
 * a new current version) or deleted. Registered with `addFileAction`; Drive.tsx imports this file once.
 */
import { useEffect, useState } from "react";
import { addFileAction, startDownload } from "../actions";
import { api, type FileItem, type FileVersion } from "../api";
import { format, formatBytes, formatTime, useI18n } from "../i18n";
import { Modal, notifyChanged, useAction } from "../ui";

export function VersionsDialog({ item, onClose }: { item: FileItem; onClose(): void }) {
  const { t, lang } = useI18n();
  const run = useAction();
  const [list, setList] = useState<FileVersion[] | null>(null);
  const [busy, setBusy] = useState(false);
  const load = async () => {
    const r = await run(() => api.versions(item.identity));
    setList(r ? r.list : []);
  };
  useEffect(() => void load(), [item.identity]);
  const act = async (fn: () => Promise<unknown>, done: string) => {
    setBusy(true);
    const ok = (await run(fn, done)) !== undefined;
    setBusy(false);
    if (ok) notifyChanged(), await load();
  };
  return (
    <Modal title={format(t.versionsOf, { name: item.name })} onClose={onClose} testId="versions-dialog" wide>
      <p className="muted">{t.versionsHint}</p>
      {list === null ? (
        <p className="muted">…</p>
      ) : (
        <table className="files versions">
          <thead>
            <tr>
              <th>{t.versionTime}</th>
              <th className="num">{t.size}</th>
              <th>{t.versionUploader}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((v) => (
              <tr key={v.identity} data-testid="version-row" data-current={v.current}>
                <td>
                  {formatTime(v.createTime, lang)} {v.current && <span className="badge">{t.versionCurrent}</span>}
                </td>
                <td className="num">{formatBytes(v.size)}</td>
                <td>{v.uploader}</td>
                <td className="actions">
                  <button
                    type="button"
                    className="link"
                    data-testid="version-download"
                    onClick={() => void run(() => startDownload(() => api.versionDownload(v.identity)))}
                  >
                    {t.download}
                  </button>
                  {!v.current && (
                    <>
                      <button
                        type="button"
                        className="link"
                        disabled={busy}
                        data-testid="version-restore"
                        onClick={() => void act(() => api.versionRestore(v.identity), t.versionRestored)}
                      >
                        {t.versionRestore}
                      </button>
                      <button
                        type="button"
                        className="link danger"
                        disabled={busy}
                        data-testid="version-delete"
                        onClick={() => void act(() => api.versionDelete(v.identity), t.versionDeleted)}
                      >
                        {t.delete}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Modal>
  );
}

addFileAction(
  {
    id: "versions",
    label: (t) => t.versions,
    when: (items) => items.length === 1 && !items[0].isDir,
    run: ([item], ctx) => ctx.show((close) => <VersionsDialog item={item} onClose={close} />),
  },
  "delete",
);
