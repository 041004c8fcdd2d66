import { useEffect, useState } from "react";
import { api, type FileItem, type ShareItem } from "../api";
import { format, formatTime, useI18n } from "../i18n";
import { limitsChange, limitsInput, limitsOf, noLimits, ShareLimitFields } from "./ShareLimits";
import { copyText, FileIcon, Menu, menuPoint, Modal, notifyChanged, toast, useAction, useChanges, type MenuItem } from "../ui";

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
  const [limits, setLimits] = useState(noLimits);
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
            <button type="button" onClick={onClose}>
              {t.close}
            </button>
            <button
              type="button"
              className="primary"
              data-testid="share-copy"
              onClick={async () => (await copyText(text), toast(t.copied))}
            >
              {t.copyLink}
            </button>
          </>
        ) : (
          <>
            <button type="button" onClick={onClose}>
              {t.cancel}
            </button>
            <button
              type="button"
              className="primary"
              data-testid="share-create"
              onClick={async () => {
                const r = await run(() => api.shareCreate(item.identity, expiredType, hasCode, limitsInput(limits)));
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
          <ShareLimitFields value={limits} onChange={setLimits} />
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
  const [limiting, setLimiting] = useState<ShareItem | null>(null);
  const [menu, setMenu] = useState<{ x: number; y: number; share: ShareItem } | null>(null);
  const shareMenu = (s: ShareItem): MenuItem[] => [
    {
      id: "share-copy",
      label: t.copyLink,
      run: async () => (await copyText(`${t.link}: ${shareLink(s.identity)}${s.code ? `  ${t.code}: ${s.code}` : ""}`), toast(t.copied)),
    },
    ...(s.status === 0
      ? [
          { id: "share-edit", label: t.update, run: () => setEditing(s) },
          { id: "share-edit-limits", label: t.shareEditLimits, run: () => setLimiting(s) },
          {
            id: "share-cancel",
            label: t.cancelShare,
            danger: true,
            run: async () => void ((await run(() => api.shareCancel([s.identity]), t.done)) && notifyChanged()),
          },
        ]
      : []),
  ];
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
            <th className="wide-only">{t.code}</th>
            <th className="wide-only">{t.expires}</th>
            <th className="num wide-only">{t.views}</th>
            <th className="num wide-only">{t.saves}</th>
            <th>{t.status}</th>
            <th className="actions">
              <span className="sr-only">{t.actions}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.identity} data-testid="share-row" data-name={s.fileName}>
              <td className="name">
                <FileIcon isDir={s.isDir} ext={s.fileName.split(".").pop()} />
                <span className="name-text">
                  <a href={shareLink(s.identity)} target="_blank" rel="noreferrer">
                    {s.fileName}
                  </a>
                  <small className="phone-only muted">
                    {s.code ? `${t.code} ${s.code} · ` : ""}
                    {s.expiredTime ? formatTime(s.expiredTime, lang) : t.never} · {t.views} {s.clickNum} · {t.saves} {s.saveNum}
                  </small>
                </span>
              </td>
              <td className="wide-only">
                <code>{s.code || "–"}</code>
              </td>
              <td className="wide-only">{s.expiredTime ? formatTime(s.expiredTime, lang) : t.never}</td>
              <td className="num wide-only" data-testid="share-views">
                {s.clickNum}
                {s.viewLimit ? ` / ${s.viewLimit}` : ""}
              </td>
              <td className="num wide-only" data-testid="share-saves">
                {s.saveNum}
              </td>
              <td>
                <span className={`badge s${s.status}`}>{t.statusNames[s.status] ?? s.status}</span>
                {s.downloadLimit !== null && (
                  <small className="muted" data-testid="share-downloads">
                    {" "}
                    {format(t.shareDownloadsUsed, { n: s.downloadNum, limit: s.downloadLimit })}
                  </small>
                )}
              </td>
              <td className="actions">
                <button
                  type="button"
                  className="icon more"
                  aria-label={t.more}
                  onClick={(e) => setMenu({ ...menuPoint(e), share: s })}
                  data-testid="share-menu"
                >
                  ⋯
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 && <div className="empty">{t.noShares}</div>}
      {menu && <Menu x={menu.x} y={menu.y} items={shareMenu(menu.share)} onClose={() => setMenu(null)} />}
      {editing && <EditShare share={editing} onClose={() => setEditing(null)} />}
      {limiting && <EditLimits share={limiting} onClose={() => setLimiting(null)} />}
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
          <button type="button" onClick={onClose}>
            {t.cancel}
          </button>
          <button
            type="button"
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

/** A share's limits changed after it was made; the counts so far are shown, since a limit at or below them ends the link. */
function EditLimits({ share, onClose }: { share: ShareItem; onClose(): void }) {
  const { t } = useI18n();
  const run = useAction();
  const before = limitsOf(share);
  const [limits, setLimits] = useState(before);
  const save = async () => {
    const change = limitsChange(before, limits);
    if (!change) return onClose();
    const r = await run(() => api.shareUpdate({ identity: share.identity, ...change }), t.done);
    if (r) notifyChanged(), onClose();
  };
  return (
    <Modal
      title={format(t.shareEditLimitsTitle, { name: share.fileName })}
      onClose={onClose}
      testId="share-limits-dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            {t.cancel}
          </button>
          <button type="button" className="primary" onClick={save} data-testid="share-limits-save">
            {t.ok}
          </button>
        </>
      }
    >
      <p className="muted" data-testid="share-used">
        {format(t.shareUsedSoFar, { downloads: share.downloadNum, views: share.clickNum })}
      </p>
      <ShareLimitFields value={limits} onChange={setLimits} expireLabel={t.shareEndsOn} />
    </Modal>
  );
}
