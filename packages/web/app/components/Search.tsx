import { useEffect, useState } from "react";
import type { InputOf } from "@polaris/contract/client";
import { api, type SearchHit } from "../api";
import { format, formatBytes, formatTime, useI18n } from "../i18n";
import { FileIcon, Highlight, navigate, useAction } from "../ui";
import { startDownload } from "./Drive";

const TYPES: Record<string, string> = {
  "": "",
  doc: "pdf,doc,docx,txt,md,xls,xlsx,ppt,pptx,csv",
  image: "png,jpg,jpeg,gif,webp,svg,heic",
  video: "mp4,mov,mkv,avi,webm",
  audio: "mp3,wav,flac,aac,ogg",
  archive: "zip,rar,7z,tar,gz",
};
const MB = 1024 * 1024;

/** `/search?q=…&type=…&isDir=…&min=…&max=…&in=…&sort=…`: filters live in the URL. */
export function SearchPage({ search }: { search: string }) {
  const { t, lang } = useI18n();
  const run = useAction();
  const params = new URLSearchParams(search);
  const q = params.get("q") ?? "";
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [total, setTotal] = useState(0);
  const [page, setPage] = useState(1);
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(key, value);
    else next.delete(key);
    navigate(`/search?${next}`, true);
  };
  useEffect(() => {
    const type = params.get("type") ?? "";
    // The filters go as the URL holds them: the server refuses a value it does not know (400).
    const sort = (params.get("sort") ?? "relevance") as NonNullable<InputOf<"search.files">["sortBy"]>;
    run(() =>
      api.search({
        keyword: q || undefined,
        ext: TYPES[type] || params.get("ext") || undefined,
        isDir: (params.get("isDir") ?? undefined) as InputOf<"search.files">["isDir"],
        minSize: params.get("min") ? Math.round(Number(params.get("min")) * MB) : undefined,
        maxSize: params.get("max") ? Math.round(Number(params.get("max")) * MB) : undefined,
        parentId: params.get("in") ?? undefined,
        sortBy: sort,
        sortDesc: sort === "relevance" || sort === "name" ? undefined : "true",
        page,
        pageSize: 50,
      }),
    ).then((r) => {
      if (!r) return;
      setHits(page === 1 ? r.list : (prev) => [...prev, ...r.list]);
      setTotal(r.total);
    });
  }, [search, page]);
  useEffect(() => setPage(1), [search]);

  const pathText = (h: SearchHit) => h.path ?? "";
  const folderHref = (h: SearchHit) => (h.parentId && String(h.parentId) !== "0" ? `/folder/${h.parentId}` : "/");
  return (
    <section data-testid="search-page">
      <div className="toolbar filters">
        <h1>
          {t.search}
          {q ? `: “${q}”` : ""}
        </h1>
        <select
          aria-label={t.type}
          value={params.get("type") ?? ""}
          onChange={(e) => set("type", e.target.value)}
          data-testid="filter-type"
        >
          <option value="">{t.anyType}</option>
          {Object.keys(TYPES)
            .filter(Boolean)
            .map((k) => (
              <option key={k} value={k}>
                {t.typeNames[k] ?? k}
              </option>
            ))}
        </select>
        <select
          aria-label={t.folders}
          value={params.get("isDir") ?? ""}
          onChange={(e) => set("isDir", e.target.value)}
          data-testid="filter-isdir"
        >
          <option value="">
            {t.folders} + {t.files}
          </option>
          <option value="false">{t.files}</option>
          <option value="true">{t.folders}</option>
        </select>
        <input
          type="number"
          min={0}
          step="0.1"
          placeholder={t.minSize}
          value={params.get("min") ?? ""}
          onChange={(e) => set("min", e.target.value)}
          className="size"
          data-testid="filter-min"
        />
        <input
          type="number"
          min={0}
          step="0.1"
          placeholder={t.maxSize}
          value={params.get("max") ?? ""}
          onChange={(e) => set("max", e.target.value)}
          className="size"
          data-testid="filter-max"
        />
        {params.get("in") && (
          <label className="check-label">
            <input type="checkbox" checked onChange={() => set("in", "")} /> {t.inFolder}
          </label>
        )}
        <select
          aria-label={t.sortBy}
          value={params.get("sort") ?? "relevance"}
          onChange={(e) => set("sort", e.target.value)}
          data-testid="filter-sort"
        >
          <option value="relevance">{t.relevance}</option>
          <option value="name">{t.name}</option>
          <option value="size">{t.size}</option>
          <option value="update_time">{t.modified}</option>
        </select>
      </div>
      <p className="muted" data-testid="search-total">
        {format(t.results, { n: total })}
      </p>
      <table className="files" data-testid="search-results">
        <thead>
          <tr>
            <th>{t.name}</th>
            <th className="wide-only">{t.location}</th>
            <th className="num wide-only">{t.size}</th>
            <th className="wide-only">{t.modified}</th>
          </tr>
        </thead>
        <tbody>
          {hits.map((h) => (
            <tr key={h.identity} data-testid="search-row" data-name={h.name}>
              <td className="name">
                <FileIcon isDir={h.isDir} ext={h.ext} />
                <a
                  href={h.isDir ? `/folder/${h.identity}` : "/search"}
                  onClick={(e) => (
                    e.preventDefault(),
                    h.isDir ? navigate(`/folder/${h.identity}`) : run(() => startDownload(() => api.download(h.identity)))
                  )}
                >
                  <Highlight text={h.name} keyword={q} server={h.highlight} />
                </a>
                <small className="phone-only muted">
                  {pathText(h) || "/"} · {h.isDir ? "" : `${formatBytes(h.size)} · `}
                  {formatTime(h.updateTime, lang)}
                </small>
              </td>
              <td className="wide-only">
                <a href={folderHref(h)} className="muted" onClick={(e) => (e.preventDefault(), navigate(folderHref(h)))}>
                  {pathText(h) || "/"}
                </a>
              </td>
              <td className="num wide-only">{h.isDir ? "–" : formatBytes(h.size)}</td>
              <td className="wide-only">{formatTime(h.updateTime, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {hits.length === 0 && <div className="empty">{t.noResults}</div>}
      {hits.length < total && (
        <div className="list-foot">
          <button type="button" onClick={() => setPage(page + 1)}>
            {t.loadMore}
          </button>
        </div>
      )}
    </section>
  );
}
