import { useEffect, useState } from "react";
import { api, type ApiError, type FileItem, type PathEntry, type PublicShare, type ShareInfo, type ZipJob } from "../api";
import { describeError, format, formatBytes, formatTime, useI18n } from "../i18n";
import { FileIcon, LangSwitch, navigate, toast, useAction, useOverlays } from "../ui";
import { FolderPicker, startDownload } from "./Drive";
import { resolveClashes } from "./Conflicts";
import { PreviewDialog } from "./Preview";
import { downloadZip, zipPercent } from "./Zip";

/**
 * The public page of a share, `/s/<identity>`: who shares it and until when (before the code; never the
 * file names), then, with the code, its files to browse, preview, download one by one or all as a zip,
 * and save; a preview-only share hides every download.
 */
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
  const [previewing, setPreviewing] = useState<FileItem | null>(null);
  const [info, setInfo] = useState<ShareInfo | null>(null);
  const [zipJob, setZipJob] = useState<ZipJob | null>(null);
  const tokenKey = `polaris.share.${identity}`;
  const { overlays, show } = useOverlays();

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
    api.shareInfo(identity).then(setInfo, (e) => setError(describeError((e as ApiError).code === 100002 ? { code: 400001 } : e, lang)));
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
  const previewOnly = session?.share.previewOnly ?? info?.previewOnly ?? false;
  const sharerName = view?.sharerName ?? session?.share.sharerName ?? info?.sharerName;
  const expiredTime = view?.expiredTime ?? session?.share.expiredTime ?? info?.expiredTime ?? 0;
  // Without a selection, the folder on screen (the whole share at its top).
  const zipAll = () =>
    run(() =>
      downloadZip(
        () =>
          api.shareZip({
            identity,
            shareToken: session!.shareToken,
            fileIdentities: selected.size ? [...selected] : folder ? [folder] : undefined,
          }),
        (id) => api.shareZipStatus({ id, identity, shareToken: session!.shareToken }),
        t,
        setZipJob,
      ),
    ).finally(() => setZipJob(null));

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
        {sharerName && (
          <div className="share-owner" data-testid="share-owner">
            <h1>{format(t.sharedBy, { name: sharerName })}</h1>
            <p className="muted" data-testid="share-expiry">
              {t.expires}: {expiredTime ? formatTime(expiredTime, lang) : t.never}
            </p>
          </div>
        )}
        {previewOnly && (
          <p className="notice" data-testid="share-preview-only-note">
            {t.sharePreviewOnlyNote}
          </p>
        )}
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
            </div>
            {view.file.isDir && (
              <nav className="breadcrumb">
                {view.path.map((p, i) => (
                  <span key={p.identity}>
                    {i > 0 && <span className="sep">›</span>}
                    <button type="button" className="link" onClick={() => setFolder(i === 0 ? undefined : p.identity)}>
                      {p.name}
                    </button>
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
                        <button type="button" className="link" onClick={() => (c.isDir ? setFolder(c.identity) : setPreviewing(c))}>
                          {c.name}
                        </button>
                      </td>
                      <td className="num">{c.isDir ? "–" : formatBytes(c.size)}</td>
                      <td className="actions">
                        {!c.isDir && !previewOnly && (
                          <button type="button" className="link" onClick={() => download(c)} data-testid="share-child-download">
                            {t.download}
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            <div className="toolbar">
              {!view.file.isDir && (
                <button type="button" onClick={() => setPreviewing(view.file)} data-testid="share-preview">
                  {t.preview}
                </button>
              )}
              {!view.file.isDir && !previewOnly && (
                <button type="button" className="primary" onClick={() => download(view.file)} data-testid="share-download">
                  {t.download}
                </button>
              )}
              {view.file.isDir && !previewOnly && (
                <button type="button" className="primary" onClick={zipAll} disabled={!!zipJob} data-testid="share-zip">
                  {selected.size ? format(t.zipSelected, { n: selected.size }) : t.zipAll}
                </button>
              )}
              {zipJob && (
                <span className="muted" role="status" data-testid="share-zip-progress">
                  {format(t.zipPacking, { percent: zipPercent(zipJob) })}
                </span>
              )}
              {previewOnly ? null : signedIn ? (
                <button type="button" onClick={() => setSaving(true)} data-testid="share-save">
                  {t.saveToDrive}
                </button>
              ) : (
                <button
                  type="button"
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
      {previewing && session && view && (
        <PreviewDialog
          items={view.file.isDir ? view.children : [view.file]}
          start={previewing}
          load={(f) => api.sharePreview({ shareIdentity: identity, shareToken: session.shareToken, fileIdentity: f.identity })}
          // A preview-only share previews but does not download.
          download={session.share.previewOnly ? undefined : download}
          onClose={() => setPreviewing(null)}
        />
      )}
      {saving && session && (
        <FolderPicker
          title={t.saveToDrive}
          confirm={t.saveToDrive}
          onClose={() => setSaving(false)}
          onPick={async (target) => {
            // Names the target folder already has: keep both (the server adds " (n)"), replace or skip.
            const chosen =
              view?.file.isDir && selected.size ? view.children.filter((c) => selected.has(c.identity)) : view ? [view.file] : [];
            const plan = await resolveClashes(chosen, target, { t, lang, run, show, folderId: target });
            if (!plan) return;
            if (plan.replace.length && !(await run(() => api.remove(plan.replace)))) return;
            if (!plan.items.length) return setSaving(false);
            const r = await run(() =>
              api.shareSave({
                identity,
                shareToken: session.shareToken,
                fileIdentities: plan.items.map((i) => i.identity),
                targetFolderId: target,
              }),
            );
            if (r) toast(format(t.saved, { n: r.savedCount })), setSaving(false);
          }}
        />
      )}
      {overlays}
    </div>
  );
}
