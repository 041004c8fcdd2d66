/** The limits a share link can carry, as the share dialog asks for them: downloads, views, preview only, an end date. */
import type { ShareItem } from "../api";
import { useI18n } from "../i18n";

export interface ShareLimitValues {
  downloadLimit: string;
  viewLimit: string;
  previewOnly: boolean;
  /** yyyy-mm-dd, or "" for the dialog's expiry choice. */
  expireOn: string;
}

export const noLimits: ShareLimitValues = { downloadLimit: "", viewLimit: "", previewOnly: false, expireOn: "" };

const count = (s: string) => (s.trim() ? Math.max(1, Math.floor(Number(s))) : null);
/** A date ends the share at that day's end (local time). */
const endOf = (day: string) => Math.floor(new Date(`${day}T23:59:59`).getTime() / 1000);
const dayOf = (unix: number) => {
  const d = new Date(unix * 1000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};

/** The fields as share.create takes them: an empty count is no limit. */
export function limitsInput(v: ShareLimitValues) {
  return {
    downloadLimit: count(v.downloadLimit) ?? undefined,
    viewLimit: count(v.viewLimit) ?? undefined,
    previewOnly: v.previewOnly || undefined,
    expireAt: v.expireOn ? endOf(v.expireOn) : undefined,
  };
}

/** An existing share's limits as the fields show them. */
export function limitsOf(s: Pick<ShareItem, "downloadLimit" | "viewLimit" | "previewOnly" | "expiredTime">): ShareLimitValues {
  return {
    downloadLimit: s.downloadLimit === null ? "" : String(s.downloadLimit),
    viewLimit: s.viewLimit === null ? "" : String(s.viewLimit),
    previewOnly: s.previewOnly,
    expireOn: s.expiredTime ? dayOf(s.expiredTime) : "",
  };
}

/**
 * What the person changed, as share.update takes it: a field left as it was is left out (so the end
 * time is not moved to the day's end), a cleared count is null (no limit). null when nothing changed.
 */
export function limitsChange(before: ShareLimitValues, after: ShareLimitValues) {
  const change = {
    downloadLimit: after.downloadLimit !== before.downloadLimit ? count(after.downloadLimit) : undefined,
    viewLimit: after.viewLimit !== before.viewLimit ? count(after.viewLimit) : undefined,
    previewOnly: after.previewOnly !== before.previewOnly ? after.previewOnly : undefined,
    expireAt: after.expireOn && after.expireOn !== before.expireOn ? endOf(after.expireOn) : undefined,
  };
  return Object.values(change).some((v) => v !== undefined) ? change : null;
}

export function ShareLimitFields(props: {
  value: ShareLimitValues;
  onChange(next: ShareLimitValues): void;
  /** The date field's label: on create it stands beside the expiry choice, on edit alone. */
  expireLabel?: string;
}) {
  const { value, onChange } = props;
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
        <span>{props.expireLabel ?? t.shareExpireOn}</span>
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
