import { api, type FileItem } from "../api";
import { format } from "../i18n";
import { Modal, type ActionContext } from "../ui";

export type ClashChoice = "keep" | "replace" | "skip" | "version";

/** The names in a folder of the user's drive, with their items (folders of 1000s are read page by page). */
export async function namesIn(folderId: string): Promise<Map<string, FileItem>> {
  const names = new Map<string, FileItem>();
  let cursor: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await api.list({ parentId: folderId, pageSize: 1000, orderBy: "name", order: "asc", cursor });
    for (const f of page.list) names.set(f.name, f);
    if (!page.nextCursor || !page.list.length) break;
    cursor = page.nextCursor;
  }
  return names;
}

/** "a.txt" → "a (n).txt", a folder "v1.2" → "v1.2 (n)": the server's own " (n)" rule for a kept-both name. */
export function suffixedName(name: string, n: number, isDir: boolean) {
  const dot = isDir ? -1 : name.lastIndexOf(".");
  return dot > 0 && dot < name.length - 1 ? `${name.slice(0, dot)} (${n})${name.slice(dot)}` : `${name} (${n})`;
}

/** Asks what to do about the names that clash; resolves with the choice, or null when the dialog is closed. */
export function askClash(ctx: Pick<ActionContext, "show" | "t">, names: string[], withVersion = false): Promise<ClashChoice | null> {
  return new Promise((resolve) =>
    ctx.show((close) => {
      const pick = (choice: ClashChoice | null) => (close(), resolve(choice));
      const t = ctx.t;
      return (
        <Modal
          title={t.nameClash}
          onClose={() => pick(null)}
          testId="clash-dialog"
          footer={
            <>
              <button type="button" onClick={() => pick("skip")} data-testid="clash-skip">
                {t.skip}
              </button>
              <button type="button" onClick={() => pick("replace")} data-testid="clash-replace">
                {t.replace}
              </button>
              {withVersion && (
                <button type="button" onClick={() => pick("version")} data-testid="clash-version">
                  {t.newVersion}
                </button>
              )}
              <button type="button" className="primary" onClick={() => pick("keep")} data-testid="clash-keep">
                {t.keepBoth}
              </button>
            </>
          }
        >
          <p>
            {names.length === 1 ? format(t.clashOne, { name: names[0] }) : format(t.clashMany, { name: names[0], n: names.length - 1 })}
          </p>
          <p className="muted">{t.clashHint}</p>
        </Modal>
      );
    }),
  );
}

/**
 * Which of `items` clash with names in `targetId`, and the user's answer as a plan: the items to send,
 * the target's items to move to the recycle bin first (replace), and new names for kept-both moves.
 * Null: the user closed the dialog.
 */
export async function resolveClashes(items: Pick<FileItem, "identity" | "name" | "isDir">[], targetId: string, ctx: ActionContext) {
  const existing = await ctx.run(() => namesIn(targetId));
  const plan = { items, replace: [] as string[], renames: new Map<string, string>() };
  if (!existing) return null;
  const clashes = items.filter((i) => existing.has(i.name) && existing.get(i.name)!.identity !== i.identity);
  if (!clashes.length) return plan;
  const choice = await askClash(
    ctx,
    clashes.map((c) => c.name),
  );
  if (!choice) return null;
  if (choice === "skip") plan.items = items.filter((i) => !clashes.includes(i));
  if (choice === "replace") plan.replace = clashes.map((c) => existing.get(c.name)!.identity);
  if (choice === "keep") {
    const taken = new Set(existing.keys());
    for (const c of clashes) {
      let n = 1;
      while (taken.has(suffixedName(c.name, n, c.isDir))) n++;
      const name = suffixedName(c.name, n, c.isDir);
      taken.add(name);
      plan.renames.set(c.identity, name);
    }
  }
  return plan;
}
