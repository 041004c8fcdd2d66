import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { api, getToken, onAuthChange, setToken, type Quota, type UserInfo } from "./api";
import { describeError, format, formatBytes, initialLang, LangContext, messages, useI18n, type Lang } from "./i18n";
import { Drive, FolderTree } from "./components/Drive";
import { Trash } from "./components/Trash";
import { MyShares } from "./components/Shares";
import { SharePage } from "./components/SharePage";
import { SearchPage } from "./components/Search";
import { AccountPage } from "./components/Account";
import { AdminPage } from "./components/Admin";
import { UploadPanel } from "./components/Uploads";
import { LangSwitch, navigate, Toasts, useChanges, useLocation } from "./ui";
import { uploads } from "./upload";

export function App() {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    localStorage.setItem("polaris.lang", l);
    document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
    setLangState(l);
  }, []);
  const ctx = useMemo(() => ({ lang, t: messages[lang], setLang }), [lang, setLang]);
  const [signedIn, setSignedIn] = useState(!!getToken());
  useEffect(() => {
    const off = onAuthChange(setSignedIn);
    return () => void off();
  }, []);
  useEffect(() => {
    document.title = messages[lang].appName;
  }, [lang]);
  const loc = useLocation();
  const path = loc.split("?")[0];

  let body;
  if (path.startsWith("/s/")) body = <SharePage identity={decodeURIComponent(path.slice(3).split("/")[0])} signedIn={signedIn} />;
  else if (!signedIn) body = <AuthPage />;
  else body = <Shell path={path} search={loc.includes("?") ? loc.slice(loc.indexOf("?")) : ""} />;
  return (
    <LangContext.Provider value={ctx}>
      {body}
      <Toasts />
    </LangContext.Provider>
  );
}

function AuthPage() {
  const { t, lang } = useI18n();
  const [mode, setMode] = useState<"signin" | "signup">("signin");
  const [mobile, setMobile] = useState("");
  const [password, setPassword] = useState("");
  const [name, setName] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      const pair = mode === "signin" ? await api.login(mobile.trim(), password) : await api.register(mobile.trim(), password, name.trim());
      setToken(pair.accessToken);
      const back = sessionStorage.getItem("polaris.returnTo");
      sessionStorage.removeItem("polaris.returnTo");
      navigate(back || (location.pathname.startsWith("/s/") ? location.pathname : "/"), true);
    } catch (err) {
      setError(describeError(err, lang));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="auth">
      <form className="auth-card" onSubmit={submit} data-testid="auth-form">
        <div className="brand big">✦ {t.appName}</div>
        <h1>{mode === "signin" ? t.signIn : t.signUp}</h1>
        <label className="field">
          <span>{t.mobile}</span>
          <input
            name="mobile"
            inputMode="numeric"
            autoComplete="username"
            value={mobile}
            onChange={(e) => setMobile(e.target.value)}
            pattern="1\d{10}"
            required
          />
        </label>
        <label className="field">
          <span>{t.password}</span>
          <input
            name="password"
            type="password"
            autoComplete={mode === "signin" ? "current-password" : "new-password"}
            minLength={6}
            maxLength={72}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {mode === "signup" && (
          <label className="field">
            <span>{t.nickname}</span>
            <input name="name" maxLength={32} value={name} onChange={(e) => setName(e.target.value)} />
          </label>
        )}
        {error && (
          <div className="form-error" role="alert" data-testid="auth-error">
            {error}
          </div>
        )}
        <button className="primary wide" type="submit" disabled={busy} data-testid="auth-submit">
          {mode === "signin" ? t.signIn : t.signUp}
        </button>
        <div className="auth-foot">
          <button type="button" className="link" onClick={() => setMode(mode === "signin" ? "signup" : "signin")} data-testid="auth-toggle">
            {mode === "signin" ? t.noAccount : t.haveAccount}
          </button>
          <LangSwitch />
        </div>
      </form>
    </div>
  );
}

/** Used and reserved (held by uploads in progress) space, as text and as two segments of one bar. */
function QuotaBar() {
  const { t } = useI18n();
  const changes = useChanges();
  const [reservations, setReservations] = useState(0);
  const [quota, setQuota] = useState<Quota | null>(null);
  useEffect(() => {
    const off = uploads.onQuotaChange(() => setReservations((n) => n + 1));
    return () => void off();
  }, []);
  useEffect(() => {
    api.quota().then(setQuota, () => undefined);
  }, [changes, reservations]);
  if (!quota) return null;
  const total = Math.max(1, quota.totalSize);
  const share = (n: number) => `${Math.min(100, (n / total) * 100)}%`;
  return (
    <div className="quota" data-testid="quota" data-used={quota.usedSize} data-reserved={quota.reservedSize} title={t.quotaReservedHint}>
      <div
        className="progress quota-bar"
        role="progressbar"
        aria-label="quota"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(Math.min(1, (quota.usedSize + quota.reservedSize) / total) * 100)}
      >
        <div className="used" style={{ width: share(quota.usedSize) }} />
        <div className="reserved" style={{ width: share(quota.reservedSize) }} />
      </div>
      <small data-testid="quota-text">
        {format(t.quota, {
          used: formatBytes(quota.usedSize),
          reserved: formatBytes(quota.reservedSize),
          total: formatBytes(quota.totalSize),
        })}
      </small>
    </div>
  );
}

function Shell({ path, search }: { path: string; search: string }) {
  const { t } = useI18n();
  const changes = useChanges();
  const [user, setUser] = useState<UserInfo | null>(null);
  const [keyword, setKeyword] = useState(() => new URLSearchParams(search).get("q") ?? "");
  useEffect(() => {
    api.info().then(
      (r) => setUser(r.userInfo),
      () => undefined,
    );
  }, []);
  const section = path.startsWith("/trash")
    ? "trash"
    : path.startsWith("/shares")
      ? "shares"
      : path.startsWith("/search")
        ? "search"
        : path.startsWith("/account")
          ? "account"
          : // Not /admin: the administrators' API routes take that first segment.
            path.startsWith("/manage")
            ? "admin"
            : "drive";
  const folderId = path.startsWith("/folder/") ? decodeURIComponent(path.slice(8)) : "0";
  // On a phone the navigation is a drawer behind the ☰ button; it closes on every navigation.
  const [navOpen, setNavOpen] = useState(false);
  useEffect(() => setNavOpen(false), [path]);
  const searchInput = useRef<HTMLInputElement>(null);
  // `/` goes to the search box from anywhere but a field.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement;
      if (
        e.key !== "/" ||
        e.ctrlKey ||
        e.metaKey ||
        e.altKey ||
        ["INPUT", "TEXTAREA", "SELECT"].includes(el.tagName) ||
        el.isContentEditable
      )
        return;
      if (document.querySelector(".backdrop")) return;
      e.preventDefault();
      searchInput.current?.focus();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
  const link = (to: string, label: string, key: string) => (
    <a href={to} className={section === key ? "active" : ""} onClick={(e) => (e.preventDefault(), navigate(to))} data-testid={`nav-${key}`}>
      {label}
    </a>
  );
  return (
    <div className={`shell${navOpen ? " nav-open" : ""}`}>
      <header className="topbar">
        <button
          type="button"
          className="icon nav-toggle"
          aria-label={t.menu}
          aria-expanded={navOpen}
          onClick={() => setNavOpen(!navOpen)}
          data-testid="nav-toggle"
        >
          ☰
        </button>
        <a className="brand" href="/" onClick={(e) => (e.preventDefault(), navigate("/"))}>
          ✦ <span className="brand-name">{t.appName}</span>
        </a>
        <form
          className="searchbox"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            const q = new URLSearchParams(section === "search" ? search : "");
            q.set("q", keyword);
            if (section === "drive" && folderId !== "0") q.set("in", folderId);
            navigate(`/search?${q}`);
          }}
        >
          <input
            ref={searchInput}
            type="search"
            aria-label={t.search}
            placeholder={t.keyword}
            value={keyword}
            onChange={(e) => setKeyword(e.target.value)}
            data-testid="search-input"
          />
        </form>
        <div className="top-right">
          <LangSwitch />
          <span className="user" data-testid="user-name">
            {user?.name || user?.mobile}
          </span>
          <button
            type="button"
            className="link"
            onClick={() => void api.logout(false).finally(() => (setToken(null), navigate("/", true)))}
            data-testid="sign-out"
          >
            {t.signOut}
          </button>
        </div>
      </header>
      {navOpen && <button type="button" className="nav-backdrop" aria-label={t.close} onClick={() => setNavOpen(false)} />}
      <nav className="sidebar" data-testid="sidebar">
        {link("/", t.drive, "drive")}
        <div className="side-tree">
          <FolderTree
            selected={section === "drive" ? folderId : ""}
            onSelect={(id) => navigate(id === "0" ? "/" : `/folder/${id}`)}
            rootLabel={t.root}
            reloadKey={changes}
            testId="side-tree"
            follow
          />
        </div>
        {link("/shares", t.myShares, "shares")}
        {link("/trash", t.trash, "trash")}
        {link("/account", t.account, "account")}
        {user?.role === "admin" && link("/manage", t.admin, "admin")}
        <div className="grow" />
        <QuotaBar />
      </nav>
      <main className="content">
        {section === "drive" && <Drive folderId={folderId} />}
        {section === "trash" && <Trash />}
        {section === "shares" && <MyShares />}
        {section === "search" && <SearchPage search={search} />}
        {section === "account" && <AccountPage onChanged={setUser} />}
        {section === "admin" && user?.role === "admin" && <AdminPage />}
      </main>
      <UploadPanel />
    </div>
  );
}
