/**
 * What can be done to items of the drive, as one list: the row's "…" menu, the right-click menu and
 * the selection bar are all built from `fileActions`, and Enter, F2 and Delete run entries of it. A new
 * feature adds its entry with `addFileAction` (from its own file, imported once by Drive.tsx); `run`
 * gets the items and a context that shows dialogs and reports errors as toasts.
 */
import { api, type FileItem } from "./api";
import { format, type Messages } from "./i18n";
import { navigate, notifyChanged, PromptDialog, toast, type ActionContext } from "./ui";
import { ShareDialog } from "./components/Shares";
import { FolderPicker } from "./components/FolderPicker";
import { resolveClashes } from "./components/Conflicts";

export interface FileAction {
  /** The menu entry's test id is `menu-<id>`, the selection bar's button `action-<id>`. */
  id: string;
  label(t: Messages): string;
  /** Whether it applies to these items (a row, or the selection). */
  when(items: FileItem[]): boolean;
  run(items: FileItem[], ctx: ActionContext): void | Promise<void>;
  danger?: boolean;
  /** Also a button of the selection bar (wide screens; the "…" menu has every action). */
  toolbar?: boolean;
}

export async function startDownload(getUrl: () => Promise<{ url: string }>) {
  const { url } = await getUrl();
  const a = document.createElement("a");
  a.href = url;
  a.rel = "noopener";
  a.download = "";
  document.body.appendChild(a);
  a.click();
  a.remove();
}

const one = (items: FileItem[]) => items.length === 1;
/** The API takes at most 1000 identities a request ("select all" of a big folder takes several). */
async function inChunks(ids: string[], call: (chunk: string[]) => Promise<unknown>) {
  for (let i = 0; i < ids.length; i += 1000) await call(ids.slice(i, i + 1000));
  return true;
}

/** Moves to the recycle bin at once, with Undo on the toast (restores the same items). */
export async function deleteItems(items: FileItem[], ctx: ActionContext) {
  const ids = items.map((i) => i.identity);
  if (!(await ctx.run(() => inChunks(ids, (chunk) => api.remove(chunk))))) return;
  notifyChanged();
  toast(format(ctx.t.deletedN, { n: ids.length }), "ok", {
    label: ctx.t.undo,
    run: async () =>
      (await ctx.run(() => inChunks(ids, (chunk) => api.trashRestore(chunk)), ctx.t.restored)) !== undefined && notifyChanged(),
  });
}

/**
 * Moves or copies into `targetId`, asking first what to do with names the target already has
 * (keep both, replace, skip). Moving "keep both" renames the item on its way (copy's server does that itself).
 */
export async function transferItems(kind: "move" | "copy", items: FileItem[], targetId: string, ctx: ActionContext) {
  const movable = kind === "move" ? items.filter((i) => i.identity !== targetId && i.parentId !== targetId) : items;
  if (!movable.length) return true;
  const plan = await resolveClashes(movable, targetId, ctx);
  if (!plan) return false;
  const done = await ctx.run(async () => {
    if (plan.replace.length) await inChunks(plan.replace, (chunk) => api.remove(chunk));
    if (kind === "move") for (const [identity, name] of plan.renames) await api.rename(identity, name);
    const ids = plan.items.map((i) => i.identity);
    if (ids.length) await inChunks(ids, (chunk) => (kind === "move" ? api.move(chunk, targetId) : api.copy(chunk, targetId)));
    return true;
  }, ctx.t.done);
  notifyChanged();
  return !!done;
}

export const fileActions: FileAction[] = [
  {
    id: "open",
    label: (t) => t.open,
    when: one,
    run: ([item], ctx) =>
      item.isDir ? navigate(`/folder/${item.identity}`) : void ctx.run(() => startDownload(() => api.download(item.identity))),
  },
  {
    id: "download",
    label: (t) => t.download,
    when: (items) => one(items) && !items[0].isDir,
    toolbar: true,
    run: ([item], ctx) => void ctx.run(() => startDownload(() => api.download(item.identity))),
  },
  {
    id: "share",
    label: (t) => t.share,
    when: one,
    toolbar: true,
    run: ([item], ctx) => ctx.show((close) => <ShareDialog item={item} onClose={close} />),
  },
  {
    id: "rename",
    label: (t) => t.rename,
    when: one,
    toolbar: true,
    run: ([item], ctx) =>
      ctx.show((close) => (
        <PromptDialog
          title={ctx.t.rename}
          label={ctx.t.newName}
          initial={item.name}
          onClose={close}
          onSubmit={async (name) => {
            if (name === item.name) return true;
            const r = await ctx.run(() => api.rename(item.identity, name));
            if (r) notifyChanged();
            return !!r;
          }}
        />
      )),
  },
  ...(["move", "copy"] as const).map(
    (kind): FileAction => ({
      id: kind,
      label: (t) => t[kind],
      when: (items) => items.length > 0,
      toolbar: true,
      run: (items, ctx) =>
        ctx.show((close) => (
          <FolderPicker
            title={ctx.t[kind]}
            confirm={kind === "move" ? ctx.t.moveHere : ctx.t.copyHere}
            exclude={new Set(items.filter((i) => i.isDir).map((i) => i.identity))}
            onClose={close}
            onPick={async (target) => {
              if (await transferItems(kind, items, target, ctx)) close();
            }}
          />
        )),
    }),
  ),
  {
    id: "delete",
    label: (t) => t.delete,
    when: (items) => items.length > 0,
    danger: true,
    toolbar: true,
    run: (items, ctx) => deleteItems(items, ctx),
  },
];

/** Adds an action to every menu, before the entry named `before` (else before Delete, which stays last). */
export function addFileAction(action: FileAction, before = "delete") {
  if (fileActions.some((a) => a.id === action.id)) return;
  const at = fileActions.findIndex((a) => a.id === before);
  fileActions.splice(at < 0 ? fileActions.length : at, 0, action);
}

export const actionsFor = (items: FileItem[]) => fileActions.filter((a) => a.when(items));
