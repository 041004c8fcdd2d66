import { useEffect, useState } from "react";
import { api, type ApiError, type FileItem, type PathEntry, type PublicShare } from "../api";
import { describeError, format, formatBytes, formatTime, useI18n } from "../i18n";
import { FileIcon, navigate, toast, useAction } from "../ui";
import { LangSwitch } from "../App";
import { FolderPicker, startDownload } from "./Drive";

/** The public page of a share, `/s/<identity>`: anyone with the link (and code) can browse and download. */
export function SharePage({ identity, signedIn }: { identity: string; signedIn: boolean }) {
  const { t, lang } = useI18n();
  const run = useAction();
  const [code, setCode] = useState(() => new URLSearchParams(location.search).get("code") ?? "");
  const [needCode, setNeedCode] = useState(false);
  const [error, setError] = useState("");
  const [session, setSession] = useState<{ share: PublicShare; shareToken: string } | null>(null);
  const [folder, setFolder] = useState<string | undefined>(undefined);
  const [view, setView] = useState<{
    file: FileItem;
    children: FileItem[];
    path: PathEntry[];
    sharerName: string;
    expiredTime: number;
  } | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [saving, setSaving] = useState(false);
  const tokenKey = `polaris.share.${identity}`;

  const validate = async (withCode?: string) => {
    setError("");
    try {
      const r = await api.shareValidate(identity, withCode);
      sessionStorage.setItem(tokenKey, JSON.stringify(r));
      setSession(r);
      setNeedCode(false);
    } catch (e) {
      if ((e as ApiError).code === 400003) {
        setNeedCode(true);
        if (withCode) setError(describeError(e, lang));
        // A link that cannot name a share (not an identity at all) is a share that does not exist.
      } else setError(describeError((e as ApiError).code === 100002 ? { code: 400001 } : e, lang));
    }
  };

  useEffect(() => {
    const stored = sessionStorage.getItem(tokenKey);
    if (stored) setSession(JSON.parse(stored));
    else if (code) validate(code);
    else validate();
  }, [identity]);

  useEffect(() => {
    if (!session) return;
    api.shareDetail({ identity, shareToken: session.shareToken, parentId: folder }).then(
      (d) => {
        const children = d.children ?? [];
        setView({ file: d.file, children, path: d.path ?? [], sharerName: d.sharerName, expiredTime: d.expiredTime });
        setSelected(new Set());
      },
      (e) => {
        if ((e as ApiError).code === 100003 || (e as ApiError).code === 400003) {
          sessionStorage.removeItem(tokenKey);
          setSession(null);
          validate(code || undefined);
        } else setError(describeError(e, lang));
      },
    );
  }, [session, folder]);

  const download = (f: FileItem) =>
    run(() => startDownload(() => api.shareDownload({ identity, shareToken: session!.shareToken, fileIdentity: f.identity })));
  const toSave = selected.size ? [...selected] : view ? [view.file.isDir && folder ? view.file.identity : view.file.identity] : [];

  return (
    <div className="public">
      <header className="topbar">
        <a className="brand" href="/" onClick={(e) => (e.preventDefault(), navigate("/"))}>
          ✦ {t.appName}
        </a>
        <div className="top-right">
          <LangSwitch />
        </div>
      </header>
      <main className="public-card" data-testid="share-page">
        {session && <h1>{format(t.sharedBy, { name: view?.sharerName ?? session.share.sharerName })}</h1>}
        {needCode && !session && (
          <form className="code-form" onSubmit={(e) => (e.preventDefault(), validate(code.trim()))}>
            <label className="field">
              <span>{t.enterCode}</span>
              <input
                value={code}
                onChange={(e) => setCode(e.target.value)}
                maxLength={8}
                autoFocus
                className="code"
                data-testid="share-code-input"
              />
            </label>
            <button className="primary" type="submit" data-testid="share-code-submit">
              {t.view}
            </button>
          </form>
        )}
        {error && (
          <div className="form-error" role="alert" data-testid="share-error">
            {error}
          </div>
        )}
        {view && (
          <>
            <div className="share-head">
              <FileIcon isDir={view.file.isDir} ext={view.file.ext} />
              <strong data-testid="share-file-name">{view.file.name}</strong>
              {!view.file.isDir && <span className="muted">{formatBytes(view.file.size)}</span>}
              <span className="muted">
                {t.expires}: {view.expiredTime ? formatTime(view.expiredTime, lang) : t.never}
              </span>
            </div>
            {view.file.isDir && (
              <nav className="breadcrumb">
                {view.path.map((p, i) => (
                  <span key={p.identity}>
                    {i > 0 && <span className="sep">›</span>}
                    <a href="#" onClick={(e) => (e.preventDefault(), setFolder(i === 0 ? undefined : p.identity))}>
                      {p.name}
                    </a>
                  </span>
                ))}
              </nav>
            )}
            {view.file.isDir ? (
              <table className="files" data-testid="share-list">
                <tbody>
                  {view.children.map((c) => (
                    <tr key={c.identity} data-testid="share-child" data-name={c.name}>
                      <td className="check">
                        <input
                          type="checkbox"
                          aria-label={c.name}
                          checked={selected.has(c.identity)}
                          onChange={() => {
                            const next = new Set(selected);
                            if (next.has(c.identity)) next.delete(c.identity);
                            else next.add(c.identity);
                            setSelected(next);
                          }}
                        />
                      </td>
                      <td className="name">
                        <FileIcon isDir={c.isDir} ext={c.ext} />
                        <a href="#" onClick={(e) => (e.preventDefault(), c.isDir ? setFolder(c.identity) : download(c))}>
                          {c.name}
                        </a>
                      </td>
                      <td className="num">{c.isDir ? "–" : formatBytes(c.size)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            <div className="toolbar">
              {!view.file.isDir && (
                <button className="primary" onClick={() => download(view.file)} data-testid="share-download">
                  {t.download}
                </button>
              )}
              {signedIn ? (
                <button onClick={() => setSaving(true)} data-testid="share-save">
                  {t.saveToDrive}
                </button>
              ) : (
                <button
                  className="link"
                  data-testid="share-signin"
                  onClick={() => (sessionStorage.setItem("polaris.returnTo", location.pathname), navigate("/login"))}
                >
                  {t.signInToSave}
                </button>
              )}
            </div>
          </>
        )}
      </main>
      {saving && session && (
        <FolderPicker
          title={t.saveToDrive}
          confirm={t.saveToDrive}
          onClose={() => setSaving(false)}
          onPick={async (target) => {
            const r = await run(() =>
              api.shareSave({ identity, shareToken: session.shareToken, fileIdentities: toSave, targetFolderId: target }),
            );
            if (r) toast(format(t.saved, { n: r.savedCount })), setSaving(false);
          }}
        />
      )}
    </div>
  );
}
