import { useEffect, useState } from "react";
import { api, type FileItem, type ShareItem } from "../api";
import { format, formatTime, useI18n } from "../i18n";
import { copyText, FileIcon, Modal, notifyChanged, toast, useAction, useChanges } from "../ui";

const EXPIRY = [1, 7, 30, 0] as const;
export const shareLink = (identity: string) => `${location.origin}/s/${identity}`;

function expiryLabel(n: number, t: ReturnType<typeof useI18n>["t"]) {
  return n === 0 ? t.never : format(t.days, { n });
}

export function ShareDialog({ item, onClose }: { item: FileItem; onClose(): void }) {
  const { t, lang } = useI18n();
  const run = useAction();
  const [expiredType, setExpiredType] = useState<(typeof EXPIRY)[number]>(7);
  const [hasCode, setHasCode] = useState(true);
  const [created, setCreated] = useState<{ identity: string; code: string; expiredTime: number } | null>(null);
  const text = created ? `${t.link}: ${shareLink(created.identity)}${created.code ? `  ${t.code}: ${created.code}` : ""}` : "";
  return (
    <Modal
      title={format(t.shareTitle, { name: item.name })}
      onClose={onClose}
      testId="share-dialog"
      footer={
        created ? (
          <>
            <button onClick={onClose}>{t.close}</button>
            <button className="primary" data-testid="share-copy" onClick={async () => (await copyText(text), toast(t.copied))}>
              {t.copyLink}
            </button>
          </>
        ) : (
          <>
            <button onClick={onClose}>{t.cancel}</button>
            <button
              className="primary"
              data-testid="share-create"
              onClick={async () => {
                const r = await run(() => api.shareCreate(item.identity, expiredType, hasCode));
                if (r) setCreated(r), notifyChanged();
              }}
            >
              {t.createLink}
            </button>
          </>
        )
      }
    >
      {!created ? (
        <div className="form-grid">
          <label className="check-label">
            <input type="checkbox" checked={hasCode} onChange={(e) => setHasCode(e.target.checked)} data-testid="share-has-code" />{" "}
            {t.withCode}
          </label>
          <fieldset className="radios">
            <legend>{t.expiry}</legend>
            {EXPIRY.map((n) => (
              <label key={n}>
                <input type="radio" name="expiry" checked={expiredType === n} onChange={() => setExpiredType(n)} /> {expiryLabel(n, t)}
              </label>
            ))}
          </fieldset>
        </div>
      ) : (
        <div className="share-result">
          <label className="field">
            <span>{t.link}</span>
            <input readOnly value={shareLink(created.identity)} data-testid="share-link" onFocus={(e) => e.target.select()} />
          </label>
          {created.code && (
            <label className="field">
              <span>{t.code}</span>
              <input readOnly value={created.code} className="code" data-testid="share-code" />
            </label>
          )}
          <p className="muted">
            {t.expires}: {created.expiredTime ? formatTime(created.expiredTime, lang) : t.never}
          </p>
        </div>
      )}
    </Modal>
  );
}

export function MyShares() {
  const { t, lang } = useI18n();
  const run = useAction();
  const changes = useChanges();
  const [items, setItems] = useState<ShareItem[]>([]);
  const [editing, setEditing] = useState<ShareItem | null>(null);
  useEffect(() => {
    run(() => api.shareList(1, 200)).then((r) => r && setItems(r.list));
  }, [changes]);
  return (
    <section data-testid="my-shares">
      <div className="toolbar">
        <h1>{t.myShares}</h1>
      </div>
      <table className="files">
        <thead>
          <tr>
            <th>{t.name}</th>
            <th>{t.code}</th>
            <th>{t.expires}</th>
            <th className="num">{t.views}</th>
            <th className="num">{t.saves}</th>
            <th>{t.status}</th>
            <th className="actions">{t.actions}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.identity} data-testid="share-row" data-name={s.fileName}>
              <td className="name">
                <FileIcon isDir={s.isDir} ext={s.fileName.split(".").pop()} />{" "}
                <a href={shareLink(s.identity)} target="_blank" rel="noreferrer">
                  {s.fileName}
                </a>
              </td>
              <td>
                <code>{s.code || "–"}</code>
              </td>
              <td>{s.expiredTime ? formatTime(s.expiredTime, lang) : t.never}</td>
              <td className="num" data-testid="share-views">
                {s.clickNum}
              </td>
              <td className="num" data-testid="share-saves">
                {s.saveNum}
              </td>
              <td>
                <span className={`badge s${s.status}`}>{t.statusNames[s.status] ?? s.status}</span>
              </td>
              <td className="actions">
                <button
                  className="link"
                  onClick={async () => (
                    await copyText(`${t.link}: ${shareLink(s.identity)}${s.code ? `  ${t.code}: ${s.code}` : ""}`), toast(t.copied)
                  )}
                >
                  {t.copyLink}
                </button>
                {s.status === 0 && (
                  <button className="link" onClick={() => setEditing(s)} data-testid="share-edit">
                    {t.update}
                  </button>
                )}
                {s.status === 0 && (
                  <button
                    className="link danger"
                    data-testid="share-cancel"
                    onClick={async () => (await run(() => api.shareCancel([s.identity]), t.done)) && notifyChanged()}
                  >
                    {t.cancelShare}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 && <div className="empty">{t.noShares}</div>}
      {editing && <EditShare share={editing} onClose={() => setEditing(null)} />}
    </section>
  );
}

function EditShare({ share, onClose }: { share: ShareItem; onClose(): void }) {
  const { t } = useI18n();
  const run = useAction();
  const [expiredType, setExpiredType] = useState<(typeof EXPIRY)[number] | null>(null);
  const [code, setCode] = useState(share.code);
  return (
    <Modal
      title={`${t.update}: ${share.fileName}`}
      onClose={onClose}
      testId="share-edit-dialog"
      footer={
        <>
          <button onClick={onClose}>{t.cancel}</button>
          <button
            className="primary"
            onClick={async () => {
              const r = await run(
                () =>
                  api.shareUpdate({
                    identity: share.identity,
                    expiredType: expiredType ?? undefined,
                    code: code !== share.code ? code : undefined,
                  }),
                t.done,
              );
              if (r) notifyChanged(), onClose();
            }}
          >
            {t.ok}
          </button>
        </>
      }
    >
      <label className="field">
        <span>{t.code}</span>
        <input value={code} maxLength={4} onChange={(e) => setCode(e.target.value.toUpperCase())} />
      </label>
      <fieldset className="radios">
        <legend>{t.expiry}</legend>
        {EXPIRY.map((n) => (
          <label key={n}>
            <input type="radio" name="expiry" checked={expiredType === n} onChange={() => setExpiredType(n)} /> {expiryLabel(n, t)}
          </label>
        ))}
      </fieldset>
    </Modal>
  );
}
