import { useEffect, useRef, useState } from "react";
import { api, setToken, type UserInfo } from "../api";
import { describeError, useI18n } from "../i18n";
import { navigate, toast, useAction } from "../ui";
import { filesFromInput, uploads } from "../upload";

/** The signed-in user's own page: display name and avatar, password, sign out everywhere. */
export function AccountPage({ onChanged }: { onChanged?(user: UserInfo): void }) {
  const { t, lang } = useI18n();
  const run = useAction();
  const [user, setUser] = useState<UserInfo | null>(null);
  const [name, setName] = useState("");
  const [oldPassword, setOldPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const [passwordError, setPasswordError] = useState("");
  const picker = useRef<HTMLInputElement>(null);
  const show = (u: UserInfo) => {
    setUser(u);
    setName(u.name);
    onChanged?.(u);
  };
  useEffect(() => {
    run(() => api.info()).then((r) => r && show(r.userInfo));
  }, []);

  // The avatar goes up as any file does (presign or instant, into the drive's root), then the profile points at it.
  const pending = useRef<File | null>(null);
  useEffect(() => {
    const off = uploads.onCompleted(async (task) => {
      const file = pending.current;
      if (!file || !task.file || task.name !== file.name || task.size !== file.size) return;
      pending.current = null;
      const r = await run(() => api.profile({ avatar: task.file!.identity }), t.accProfileSaved);
      if (r) show(r.userInfo);
    });
    return () => void off();
  }, []);

  if (!user) return null;
  return (
    <section className="account" data-testid="account">
      <h1>{t.account}</h1>
      <form
        className="form-grid"
        onSubmit={async (e) => {
          e.preventDefault();
          const r = await run(() => api.profile({ name: name.trim() }), t.accProfileSaved);
          if (r) show(r.userInfo);
        }}
      >
        <h2>{t.accProfile}</h2>
        <div className="avatar-row">
          {user.avatar ? (
            <img className="avatar" src={user.avatar} alt={t.accAvatar} width={64} height={64} data-testid="avatar" />
          ) : (
            <span className="avatar placeholder" aria-hidden="true">
              {(user.name || user.mobile).slice(0, 1)}
            </span>
          )}
          <button type="button" onClick={() => picker.current?.click()} data-testid="avatar-upload">
            {t.accChooseAvatar}
          </button>
          {user.avatar && (
            <button
              type="button"
              className="link"
              onClick={async () => {
                const r = await run(() => api.profile({ avatar: "" }));
                if (r) show(r.userInfo);
              }}
            >
              {t.accRemoveAvatar}
            </button>
          )}
          <input
            ref={picker}
            type="file"
            accept="image/*"
            hidden
            onChange={(e) => {
              const [entry] = filesFromInput(e.target.files);
              e.target.value = "";
              if (!entry) return;
              pending.current = entry.file;
              uploads.add([entry], "0");
            }}
          />
        </div>
        <label className="field">
          <span>{t.accDisplayName}</span>
          <input value={name} maxLength={32} required onChange={(e) => setName(e.target.value)} data-testid="profile-name" />
        </label>
        <button className="primary" type="submit" data-testid="profile-save">
          {t.accSaveProfile}
        </button>
      </form>

      <form
        className="form-grid"
        onSubmit={async (e) => {
          e.preventDefault();
          setPasswordError("");
          try {
            const pair = await api.changePassword(oldPassword, newPassword);
            setToken(pair.accessToken);
            setOldPassword("");
            setNewPassword("");
            toast(t.accPasswordChanged);
          } catch (err) {
            setPasswordError(describeError(err, lang));
          }
        }}
      >
        <h2>{t.accPassword}</h2>
        <label className="field">
          <span>{t.accCurrentPassword}</span>
          <input
            type="password"
            autoComplete="current-password"
            value={oldPassword}
            required
            onChange={(e) => setOldPassword(e.target.value)}
            data-testid="old-password"
          />
        </label>
        <label className="field">
          <span>{t.accNewPassword}</span>
          <input
            type="password"
            autoComplete="new-password"
            minLength={6}
            maxLength={72}
            value={newPassword}
            required
            onChange={(e) => setNewPassword(e.target.value)}
            data-testid="new-password"
          />
        </label>
        {passwordError && (
          <div className="form-error" role="alert">
            {passwordError}
          </div>
        )}
        <button className="primary" type="submit" data-testid="password-save">
          {t.accPassword}
        </button>
      </form>

      <div className="form-grid">
        <h2>{t.accSessions}</h2>
        <p className="muted">{t.accSignOutEverywhereHint}</p>
        <button
          type="button"
          className="danger"
          onClick={async () => {
            if (await run(() => api.logout(true))) {
              setToken(null);
              navigate("/", true);
            }
          }}
          data-testid="sign-out-everywhere"
        >
          {t.accSignOutEverywhere}
        </button>
      </div>
    </section>
  );
}
