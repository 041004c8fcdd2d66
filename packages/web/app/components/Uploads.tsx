import { useRef, useState, useSyncExternalStore } from "react";
import { describeError, format, formatBytes, formatDuration, useI18n } from "../i18n";
import { NETWORK_ERROR } from "../api";
import { Progress, toast } from "../ui";
import { isTransient, uploads, type ClashAnswer, type SavedSession, type UploadTask } from "../upload";

/** Upload queue: hashing progress, per-part progress, speed, time left; pause/resume/cancel; resumable sessions. */
export function UploadPanel() {
  const { t, lang } = useI18n();
  const { tasks, saved } = useSyncExternalStore(uploads.subscribe, uploads.getSnapshot);
  const [collapsed, setCollapsed] = useState(false);
  const picker = useRef<HTMLInputElement>(null);
  const [resuming, setResuming] = useState<SavedSession | null>(null);
  if (!tasks.length && !saved.length) return null;
  // The header sums up every upload still counted (a cancelled or skipped one is not).
  const counted = tasks.filter((x) => x.status !== "cancelled");
  const done = counted.filter((x) => x.status === "done").length;
  const bytes = counted.reduce((sum, x) => sum + x.size, 0);
  const sent = counted.reduce((sum, x) => sum + (x.status === "done" ? x.size : x.loaded), 0);
  const conflicts = tasks.filter((x) => x.status === "conflict").length;
  return (
    <aside className={`uploads${collapsed ? " collapsed" : ""}`} data-testid="upload-panel">
      <header>
        <button
          type="button"
          className="link uploads-toggle"
          aria-expanded={!collapsed}
          onClick={() => setCollapsed(!collapsed)}
          data-testid="uploads-toggle"
        >
          <strong>{t.uploads}</strong>{" "}
          <span className="muted" data-testid="uploads-count">
            {format(t.uploadsDone, { done, total: counted.length })}
          </span>{" "}
          {collapsed ? "▴" : "▾"}
        </button>
        <span className="grow" />
        <button type="button" className="link" onClick={() => uploads.clearFinished()}>
          {t.clearFinished}
        </button>
      </header>
      {counted.length > 0 && <Progress value={bytes ? sent / bytes : done / counted.length} label={t.uploads} testId="uploads-overall" />}
      {!collapsed && conflicts > 1 && (
        <div className="conflict-all" data-testid="conflict-all">
          <span className="muted">{t.forAll}</span>
          <ClashButtons id={null} />
        </div>
      )}
      {!collapsed && (
        <div className="upload-list">
          {saved.length > 0 && (
            <div className="saved" data-testid="saved-uploads">
              <p className="muted">{t.resumable}</p>
              {saved.map((s) => (
                <div key={s.uploadKey} className="saved-row" data-testid="saved-upload" data-name={s.name}>
                  <span className="fname">{s.name}</span> <span className="muted">{formatBytes(s.size)}</span>
                  <button
                    type="button"
                    className="link"
                    onClick={() => (setResuming(s), picker.current?.click())}
                    data-testid="saved-resume"
                  >
                    {t.chooseFile}
                  </button>
                  <button
                    type="button"
                    className="link danger"
                    onClick={() =>
                      uploads.discardSaved(s).then((ended) => ended || toast(describeError({ code: NETWORK_ERROR }, lang), "error"))
                    }
                    data-testid="saved-discard"
                  >
                    {t.cancel}
                  </button>
                </div>
              ))}
              <input
                ref={picker}
                type="file"
                hidden
                data-testid="resume-input"
                onChange={(e) => {
                  const f = e.target.files?.[0];
                  if (f && resuming && !uploads.resumeSaved(resuming, f))
                    toast(format(t.notSameFile, { name: resuming.name, size: formatBytes(resuming.size) }), "error");
                  e.target.value = "";
                  setResuming(null);
                }}
              />
            </div>
          )}
          {tasks.map((task) => (
            <UploadRow key={task.id} task={task} />
          ))}
        </div>
      )}
    </aside>
  );
}

function UploadRow({ task }: { task: UploadTask }) {
  const { t, lang } = useI18n();
  const label: Record<UploadTask["status"], string> = {
    queued: t.queued,
    hashing: t.hashing,
    checking: t.checking,
    uploading: t.uploading,
    completing: t.completing,
    done: task.instant ? t.instantDone : t.uploaded,
    paused: t.paused,
    error: t.failed,
    cancelled: t.cancelled,
    conflict: t.conflict,
  };
  const hashing = task.status === "hashing";
  const value = hashing ? task.hashLoaded / Math.max(1, task.size) : task.status === "done" ? 1 : task.loaded / Math.max(1, task.size);

  const waitingText = { offline: t.waitingNetwork, server: t.waitingServer, retry: t.retrying };
  const waiting = task.waiting && ["uploading", "completing"].includes(task.status) ? waitingText[task.waiting] : "";
  return (
    <div
      className={`upload-row ${task.status}`}
      data-testid="upload-row"
      data-name={task.name}
      data-status={task.status}
      data-instant={task.instant ? "1" : "0"}
      data-waiting={task.waiting ?? ""}
    >
      <div className="upload-line">
        <span className="fname" title={task.name}>
          {task.name}
        </span>
        <span className="muted">{formatBytes(task.size)}</span>
        <span className={`status ${task.status}`} data-testid="upload-status">
          {waiting || label[task.status]}
          {task.resumed && task.status !== "done" ? " ↻" : ""}
        </span>
      </div>
      <Progress value={value} label={hashing ? t.hashing : t.uploading} testId={hashing ? "hash-progress" : "upload-progress"} />
      {task.mode === "multipart" && task.parts.length > 1 && task.status !== "done" && (
        <div className="parts" data-testid="part-progress">
          {task.parts.map((p) => (
            <div
              key={p.partNumber}
              title={`${t.part} ${p.partNumber}: ${Math.round((p.loaded / Math.max(1, p.size)) * 100)}%`}
              className={p.done ? "part done" : "part"}
            >
              <div style={{ width: `${(p.loaded / Math.max(1, p.size)) * 100}%` }} />
            </div>
          ))}
        </div>
      )}
      <div className="upload-meta">
        {task.status === "uploading" && !task.waiting && (
          <span className="muted" data-testid="upload-speed">
            {formatBytes(task.speed)}/s · {format(t.remaining, { t: formatDuration(task.eta) })}
          </span>
        )}
        {hashing && <span className="muted">{Math.round(value * 100)}%</span>}
        {task.status === "error" && (
          <span className="error-text" data-testid="upload-error">
            {describeError(task.error, lang)}{" "}
            {isTransient(task.error) && task.uploadKey ? t.partsKept : task.released ? t.sessionReleased : ""}
          </span>
        )}
        {task.status === "conflict" && <ClashButtons id={task.id} />}
        <span className="grow" />
        {["hashing", "checking", "uploading", "queued"].includes(task.status) && (
          <button type="button" className="link" onClick={() => uploads.pause(task.id)} data-testid="upload-pause">
            {t.pause}
          </button>
        )}
        {["paused", "error"].includes(task.status) && (
          <button type="button" className="link" onClick={() => uploads.resume(task.id)} data-testid="upload-resume">
            {task.status === "error" ? t.retry : t.resume}
          </button>
        )}
        {!["done", "cancelled"].includes(task.status) && (
          <button type="button" className="link danger" onClick={() => uploads.cancel(task.id)} data-testid="upload-cancel">
            {t.cancel}
          </button>
        )}
      </div>
    </div>
  );
}

/** Keep both / replace / new version / skip, for one upload or (id null) for every one waiting. */
function ClashButtons({ id }: { id: string | null }) {
  const { t } = useI18n();
  const answers: [ClashAnswer, string][] = [
    ["keep", t.keepBoth],
    ["replace", t.replace],
    ["version", t.newVersion],
    ["skip", t.skip],
  ];
  return (
    <span className="clash-buttons">
      {answers.map(([answer, label]) => (
        <button
          type="button"
          key={answer}
          className="link"
          onClick={() => void uploads.resolveConflict(id, answer)}
          data-testid={`upload-${answer}${id === null ? "-all" : ""}`}
        >
          {label}
        </button>
      ))}
    </span>
  );
}
