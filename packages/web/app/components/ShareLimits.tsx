/** The limits a share link can carry, as the share dialog asks for them: downloads, views, preview only, an end date. */
import { useI18n } from "../i18n";

export interface ShareLimitValues {
  downloadLimit: string;
  viewLimit: string;
  previewOnly: boolean;
  /** yyyy-mm-dd, or "" for the dialog's expiry choice. */
  expireOn: string;
}

export const noLimits: ShareLimitValues = { downloadLimit: "", viewLimit: "", previewOnly: false, expireOn: "" };

/** The fields as the API takes them: an empty count is no limit; a date ends the share at that day's end (local time). */
export function limitsInput(v: ShareLimitValues) {
  const count = (s: string) => (s.trim() ? Math.max(1, Math.floor(Number(s))) : undefined);
  return {
    downloadLimit: count(v.downloadLimit),
    viewLimit: count(v.viewLimit),
    previewOnly: v.previewOnly || undefined,
    expireAt: v.expireOn ? Math.floor(new Date(`${v.expireOn}T23:59:59`).getTime() / 1000) : undefined,
  };
}

export function ShareLimitFields({ value, onChange }: { value: ShareLimitValues; onChange(next: ShareLimitValues): void }) {
  const { t } = useI18n();
  const set = (patch: Partial<ShareLimitValues>) => onChange({ ...value, ...patch });
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  return (
    <fieldset className="share-limits" data-testid="share-limits">
      <legend>{t.shareLimits}</legend>
      <label className="field">
        <span>{t.shareDownloadLimit}</span>
        <input
          type="number"
          min={1}
          inputMode="numeric"
          placeholder={t.shareNoLimit}
          value={value.downloadLimit}
          onChange={(e) => set({ downloadLimit: e.target.value })}
          data-testid="share-download-limit"
        />
      </label>
      <label className="field">
        <span>{t.shareViewLimit}</span>
        <input
          type="number"
          min={1}
          inputMode="numeric"
          placeholder={t.shareNoLimit}
          value={value.viewLimit}
          onChange={(e) => set({ viewLimit: e.target.value })}
          data-testid="share-view-limit"
        />
      </label>
      <label className="field">
        <span>{t.shareExpireOn}</span>
        <input
          type="date"
          min={tomorrow}
          value={value.expireOn}
          onChange={(e) => set({ expireOn: e.target.value })}
          data-testid="share-expire-on"
        />
      </label>
      <label className="check-label">
        <input
          type="checkbox"
          checked={value.previewOnly}
          onChange={(e) => set({ previewOnly: e.target.checked })}
          data-testid="share-preview-only"
        />{" "}
        {t.sharePreviewOnly}
      </label>
    </fieldset>
  );
}
