import { useEffect, useState } from "react";
import { api, type AdminShare, type AdminStats, type AdminUser, type AuditEntry } from "../api";
import { format, formatBytes, formatTime, useI18n } from "../i18n";
import { Modal, useAction } from "../ui";

type Tab = "users" | "shares" | "stats" | "audit";

/** The administrator's console: users (quota, disable, role, password reset), every share (ban), system figures, the audit log. */
export function AdminPage() {
  const { t } = useI18n();
  const [tab, setTab] = useState<Tab>("users");
  const tabs: [Tab, string][] = [
    ["users", t.admUsers],
    ["shares", t.admShares],
    ["stats", t.admStats],
    ["audit", t.admAudit],
  ];
  return (
    <section className="admin" data-testid="admin">
      <div className="toolbar">
        <h1>{t.admin}</h1>
        <div className="tabs" role="tablist">
          {tabs.map(([key, label]) => (
            <button
              type="button"
              key={key}
              role="tab"
              aria-selected={tab === key}
              className={tab === key ? "active" : ""}
              onClick={() => setTab(key)}
              data-testid={`admin-tab-${key}`}
            >
              {label}
            </button>
          ))}
        </div>
      </div>
      {tab === "users" && <Users />}
      {tab === "shares" && <Shares />}
      {tab === "stats" && <Stats />}
      {tab === "audit" && <Audit />}
    </section>
  );
}

/** "20G", "500 MiB", "1048576" → bytes; NaN when it is not a size. */
function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(text.trim());
  if (!m) return Number.NaN;
  const unit = { "": 0, k: 1, m: 2, g: 3, t: 4 }[m[2]!.toLowerCase() as "k"]!;
  return Math.round(Number(m[1]) * 1024 ** unit);
}

function Users() {
  const { t, lang } = useI18n();
  const run = useAction();
  const [keyword, setKeyword] = useState("");
  const [list, setList] = useState<AdminUser[]>([]);
  const [reload, setReload] = useState(0);
  const [quotaFor, setQuotaFor] = useState<AdminUser | null>(null);
  const [password, setPassword] = useState<{ mobile: string; password: string } | null>(null);
  useEffect(() => {
    run(() => api.admin("admin.users", { keyword: keyword.trim() || undefined, page: 1, pageSize: 100 })).then((r) => r && setList(r.list));
  }, [keyword, reload]);
  const act = async (fn: () => Promise<unknown>) => (await run(fn, t.admDone)) !== undefined && setReload((n) => n + 1);
  return (
    <>
      <input
        type="search"
        className="admin-search"
        placeholder={t.admSearch}
        value={keyword}
        onChange={(e) => setKeyword(e.target.value)}
        data-testid="admin-user-search"
      />
      <table className="files admin-table" data-testid="admin-users">
        <thead>
          <tr>
            <th>{t.mobile}</th>
            <th>{t.name}</th>
            <th>{t.admRole}</th>
            <th className="num">{t.admQuota}</th>
            <th className="num wide-only">{t.admItems}</th>
            <th className="wide-only">{t.admLastLogin}</th>
            <th>{t.actions}</th>
          </tr>
        </thead>
        <tbody>
          {list.map((u) => (
            <tr key={u.id} data-testid="admin-user-row" data-mobile={u.mobile}>
              <td>{u.mobile}</td>
              <td>
                {u.name} {u.disabled && <span className="badge danger">{t.admDisabled}</span>}
              </td>
              <td>{u.role === "admin" ? t.admRoleAdmin : t.admRoleUser}</td>
              <td className="num">
                {formatBytes(u.usedSize)} / {formatBytes(u.totalSize)}
              </td>
              <td className="num wide-only">{u.items}</td>
              <td className="wide-only" title={`${t.created}: ${formatTime(u.createTime, lang)}`}>
                {formatTime(u.lastLoginTime, lang)}
              </td>
              <td>
                <div className="admin-actions">
                  <button type="button" onClick={() => setQuotaFor(u)} data-testid="admin-quota">
                    {t.admSetQuota}
                  </button>
                  <button
                    type="button"
                    className={u.disabled ? "" : "danger"}
                    onClick={() => act(() => api.admin("admin.setDisabled", { mobile: u.mobile, disabled: !u.disabled }))}
                    data-testid="admin-disable"
                  >
                    {u.disabled ? t.admEnable : t.admDisable}
                  </button>
                  <button
                    type="button"
                    onClick={() => act(() => api.admin("admin.setRole", { mobile: u.mobile, role: u.role === "admin" ? "user" : "admin" }))}
                  >
                    {u.role === "admin" ? t.admMakeUser : t.admMakeAdmin}
                  </button>
                  <button
                    type="button"
                    onClick={async () => {
                      if (!window.confirm(format(t.admResetConfirm, { mobile: u.mobile }))) return;
                      const r = await run(() => api.admin("admin.passwordReset", { mobile: u.mobile }));
                      if (r) setPassword(r);
                    }}
                    data-testid="admin-reset"
                  >
                    {t.admResetPassword}
                  </button>
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {quotaFor && <QuotaDialog user={quotaFor} onClose={() => setQuotaFor(null)} onDone={() => setReload((n) => n + 1)} />}
      {password && (
        <Modal title={t.admResetPassword} onClose={() => setPassword(null)} testId="admin-password">
          <p>{format(t.admOneTimePassword, { mobile: password.mobile })}</p>
          <p className="code" data-testid="admin-password-value">
            {password.password}
          </p>
        </Modal>
      )}
    </>
  );
}

function QuotaDialog({ user, onClose, onDone }: { user: AdminUser; onClose(): void; onDone(): void }) {
  const { t } = useI18n();
  const run = useAction();
  const [value, setValue] = useState(formatBytes(user.totalSize).replace(/\s/g, ""));
  const [force, setForce] = useState(false);
  const size = parseSize(value);
  const submit = async () => {
    if (await run(() => api.admin("admin.setQuota", { mobile: user.mobile, totalSize: size, force }), t.admDone)) {
      onDone();
      onClose();
    }
  };
  return (
    <Modal
      title={t.admSetQuota}
      onClose={onClose}
      testId="admin-quota-dialog"
      footer={
        <>
          <button type="button" onClick={onClose}>
            {t.cancel}
          </button>
          <button type="button" className="primary" disabled={!Number.isFinite(size)} onClick={submit} data-testid="admin-quota-ok">
            {t.ok}
          </button>
        </>
      }
    >
      <label className="field">
        <span>{format(t.admQuotaPrompt, { mobile: user.mobile })}</span>
        <input autoFocus value={value} onChange={(e) => setValue(e.target.value)} data-testid="admin-quota-input" />
      </label>
      <label className="check-label">
        <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> {t.admForce}
      </label>
    </Modal>
  );
}

function Shares() {
  const { t, lang } = useI18n();
  const run = useAction();
  const [list, setList] = useState<AdminShare[]>([]);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    run(() => api.admin("admin.shares", { page: 1, pageSize: 100 })).then((r) => r && setList(r.list));
  }, [reload]);
  return (
    <table className="files admin-table" data-testid="admin-shares">
      <thead>
        <tr>
          <th>{t.name}</th>
          <th>{t.admOwner}</th>
          <th className="num">{t.views}</th>
          <th className="num">{t.saves}</th>
          <th>{t.status}</th>
          <th className="wide-only">{t.created}</th>
          <th>{t.actions}</th>
        </tr>
      </thead>
      <tbody>
        {list.map((s) => (
          <tr key={s.identity} data-testid="admin-share-row">
            <td>{s.fileName}</td>
            <td>
              {s.ownerName} ({s.ownerMobile})
            </td>
            <td className="num">{s.clickNum}</td>
            <td className="num">{s.saveNum}</td>
            <td data-testid="admin-share-status">{t.statusNames[s.status]}</td>
            <td className="wide-only">{formatTime(s.createTime, lang)}</td>
            <td>
              <div className="admin-actions">
                {(s.status === 0 || s.status === 1 || s.status === 3) && (
                  <button
                    type="button"
                    className={s.status === 1 ? "" : "danger"}
                    onClick={async () =>
                      (await run(() => api.admin("admin.shareBan", { identity: s.identity, banned: s.status !== 1 }), t.admDone)) &&
                      setReload((n) => n + 1)
                    }
                    data-testid="admin-ban"
                  >
                    {s.status === 1 ? t.admUnban : t.admBan}
                  </button>
                )}
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`;

function Stats() {
  const { t } = useI18n();
  const run = useAction();
  const [stats, setStats] = useState<AdminStats | null>(null);
  useEffect(() => {
    run(() => api.admin("admin.stats", undefined)).then((r) => r && setStats(r));
  }, []);
  if (!stats) return null;
  const tiles: [string, string, string][] = [
    ["users", t.admUsersN, String(stats.users)],
    ["files", t.admFiles, String(stats.files)],
    ["stored", t.admStored, formatBytes(stats.storedBytes)],
    ["logical", t.admLogical, formatBytes(stats.logicalBytes)],
    ["dedup", t.admDedup, `${stats.dedupRatio.toFixed(2)}×`],
    ["instant", t.admInstantRate, percent(stats.instantRate)],
  ];
  return (
    <div data-testid="admin-stats">
      <div className="stat-tiles">
        {tiles.map(([key, label, value]) => (
          <div className="stat-tile" key={key} data-testid={`stat-${key}`}>
            <small>{label}</small>
            <strong>{value}</strong>
          </div>
        ))}
      </div>
      <h2>{t.admPerDay}</h2>
      <div className="day-bars" role="img" aria-label={t.admPerDay}>
        {stats.uploadDays.map((d) => (
          <div key={d.day} className="day-bar" title={`${d.day}: ${d.instant}/${d.completed} (${percent(d.rate)})`}>
            <div style={{ height: `${Math.max(d.completed ? 2 : 0, d.rate * 100)}%` }} />
          </div>
        ))}
      </div>
    </div>
  );
}

function Audit() {
  const { t, lang } = useI18n();
  const run = useAction();
  const [list, setList] = useState<AuditEntry[]>([]);
  useEffect(() => {
    run(() => api.admin("admin.audit", { page: 1, pageSize: 100 })).then((r) => r && setList(r.list));
  }, []);
  return (
    <table className="files admin-table" data-testid="admin-audit">
      <thead>
        <tr>
          <th>{t.admTime}</th>
          <th>{t.admActor}</th>
          <th>{t.admAction}</th>
          <th>{t.admTarget}</th>
        </tr>
      </thead>
      <tbody>
        {list.map((a) => (
          <tr key={a.id} data-testid="admin-audit-row">
            <td>{formatTime(a.time, lang)}</td>
            <td>{a.actorMobile || "–"}</td>
            <td>{a.action}</td>
            <td>
              {a.target} {a.detail && <span className="muted">{a.detail}</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
