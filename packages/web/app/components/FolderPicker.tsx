import { useEffect, useState } from "react";
import { api, type FileItem } from "../api";
import { useI18n } from "../i18n";
import { Modal } from "../ui";
import { dropTarget } from "../drag";

/** Lazily loaded folder tree: the sidebar's navigation (a drop target for moves) and the target chooser of move, copy and save. */
export function FolderTree(props: {
  selected: string;
  onSelect(id: string): void;
  exclude?: Set<string>;
  rootLabel: string;
  reloadKey?: number;
  testId?: string;
  follow?: boolean;
}) {
  const [children, setChildren] = useState<Record<string, FileItem[] | undefined>>({});
  const [open, setOpen] = useState<Set<string>>(new Set(["0"]));
  const loadChildren = async (id: string, force = false) => {
    if (children[id] && !force) return;
    const folders: FileItem[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const res = await api.list({ parentId: id, pageSize: 1000, orderBy: "name", order: "asc", cursor });
      folders.push(...res.list.filter((f) => f.isDir));
      // folders come first: stop at the first file or the end
      if (res.list.some((f) => !f.isDir) || !res.nextCursor || res.list.length === 0) break;
      cursor = res.nextCursor;
    }
    setChildren((c) => ({ ...c, [id]: folders }));
  };
  useEffect(() => {
    for (const id of open) loadChildren(id, true).catch(() => undefined);
  }, [props.reloadKey]);
  // `follow`: unfold the tree down to the selected folder (the sidebar follows navigation).
  useEffect(() => {
    if (!props.follow || !props.selected || props.selected === "0") return;
    api.detail(props.selected).then(
      ({ path }) => {
        const ids = ["0", ...path.map((p) => p.identity)];
        if (ids[ids.length - 1] !== props.selected) ids.push(props.selected);
        setOpen((prev) => new Set([...prev, ...ids]));
        for (const id of ids) loadChildren(id).catch(() => undefined);
      },
      () => undefined,
    );
  }, [props.selected, props.follow]);
  const node = (id: string, name: string, depth: number): React.ReactNode => {
    const isOpen = open.has(id);
    const kids = children[id];
    return (
      <li key={id}>
        <div className={`tree-row${props.selected === id ? " active" : ""}`} style={{ paddingLeft: depth * 14 }}>
          <button
            type="button"
            className="twisty"
            aria-label={isOpen ? "collapse" : "expand"}
            onClick={() => {
              const next = new Set(open);
              if (isOpen) next.delete(id);
              else next.add(id), loadChildren(id).catch(() => undefined);
              setOpen(next);
            }}
          >
            {kids && kids.length === 0 ? "·" : isOpen ? "▾" : "▸"}
          </button>
          <button
            type="button"
            className="tree-label"
            onClick={() => props.onSelect(id)}
            data-testid="tree-folder"
            data-name={name}
            {...(props.follow ? dropTarget(id) : {})}
          >
            📁 {name}
          </button>
        </div>
        {isOpen && kids && <ul>{kids.filter((f) => !props.exclude?.has(f.identity)).map((f) => node(f.identity, f.name, depth + 1))}</ul>}
      </li>
    );
  };
  return (
    <ul className="tree" data-testid={props.testId}>
      {node("0", props.rootLabel, 0)}
    </ul>
  );
}

/** Folder chooser for move, copy and save-from-share. */
export function FolderPicker(props: {
  title: string;
  confirm: string;
  exclude?: Set<string>;
  onPick(target: string): void | Promise<void>;
  onClose(): void;
}) {
  const { t } = useI18n();
  const [target, setTarget] = useState("0");
  const [busy, setBusy] = useState(false);
  return (
    <Modal
      title={props.title}
      onClose={props.onClose}
      testId="folder-picker"
      footer={
        <>
          <button type="button" onClick={props.onClose}>
            {t.cancel}
          </button>
          <button
            type="button"
            className="primary"
            disabled={busy}
            data-testid="picker-ok"
            onClick={async () => {
              setBusy(true);
              await props.onPick(target);
              setBusy(false);
            }}
          >
            {props.confirm}
          </button>
        </>
      }
    >
      <p className="muted">{t.chooseTarget}</p>
      <FolderTree selected={target} onSelect={setTarget} exclude={props.exclude} rootLabel={t.root} />
    </Modal>
  );
}
