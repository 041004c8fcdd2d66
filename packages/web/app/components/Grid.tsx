/**
 * The drive as a grid of tiles: an image's thumbnail (made by the server when it was uploaded) or
 * its type's icon, and the name. Clicks, menus, drags and drops are the rows' own (Drive passes
 * them in); the choice between list and grid is remembered in this browser.
 */
import { useState, type HTMLAttributes } from "react";
import type { FileItem } from "../api";
import { useI18n } from "../i18n";
import { FileIcon } from "../ui";

export type ViewMode = "list" | "grid";
const VIEW_KEY = "polaris.view";

export function useViewMode(): [ViewMode, (mode: ViewMode) => void] {
  const [mode, setMode] = useState<ViewMode>(() => (localStorage.getItem(VIEW_KEY) === "grid" ? "grid" : "list"));
  return [
    mode,
    (next) => {
      localStorage.setItem(VIEW_KEY, next);
      setMode(next);
    },
  ];
}

export function ViewToggle({ mode, onChange }: { mode: ViewMode; onChange(mode: ViewMode): void }) {
  const { t } = useI18n();
  const next = mode === "grid" ? "list" : "grid";
  return (
    <button
      type="button"
      className="view-toggle"
      onClick={() => onChange(next)}
      aria-label={next === "grid" ? t.gridView : t.listView}
      title={next === "grid" ? t.gridView : t.listView}
      data-testid="view-toggle"
      data-view={mode}
    >
      {next === "grid" ? "▦" : "☰"} <span className="wide-only">{next === "grid" ? t.gridView : t.listView}</span>
    </button>
  );
}

export function Grid(props: {
  items: FileItem[];
  selected: Set<string>;
  /** The row's handlers and attributes (click, double-click, menu, drag, drop). */
  tileProps(item: FileItem, index: number): HTMLAttributes<HTMLElement>;
  onToggle(identity: string): void;
  onOpen(item: FileItem): void;
}) {
  return (
    <ul className="grid" data-testid="file-grid">
      {props.items.map((item, index) => {
        const selected = props.selected.has(item.identity);
        return (
          <li
            key={item.identity}
            className={`tile${selected ? " selected" : ""}`}
            data-testid="grid-tile"
            data-name={item.name}
            {...props.tileProps(item, index)}
          >
            <input
              type="checkbox"
              className="tile-check"
              aria-label={item.name}
              checked={selected}
              onChange={() => props.onToggle(item.identity)}
            />
            <a
              href={item.isDir ? `/folder/${item.identity}` : "#"}
              className="tile-picture"
              onClick={(e) => (e.preventDefault(), props.onOpen(item))}
              draggable={false}
              tabIndex={-1}
            >
              {item.thumbnailUrl ? (
                <img src={item.thumbnailUrl} alt="" loading="lazy" draggable={false} data-testid="grid-thumbnail" />
              ) : (
                <FileIcon isDir={item.isDir} ext={item.ext} />
              )}
            </a>
            <span className="tile-name" title={item.name}>
              {item.name}
            </span>
          </li>
        );
      })}
    </ul>
  );
}
