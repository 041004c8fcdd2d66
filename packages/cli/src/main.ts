/**
 * `polaris`: the drive from a terminal, over the public HTTP API only.
 * Exit codes: 0 ok · 1 API/business error (printed as `error <code>: <message>`) · 2 usage error ·
 * 3 not logged in · 4 network error · 130 interrupted (Ctrl-C; an upload resumes when run again).
 */
import { existsSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import password from "@inquirer/password";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import type { InputOf } from "@polaris/contract/client";
import { Client, type FileItem } from "./client";
import { DEFAULT_API, loadCredentials, normalizeApi, saveCredentials } from "./config";
import { ApiError, Exit, Interrupted, localFileProblem, NetworkError, NotLoggedInError, UsageError } from "./errors";
import { registerAccountCommands } from "./commands/account";
import { downloadTo, ensureFolder, isReadable, RateLimiter, uploadFile, walkLocal, type Progress } from "./transfer";
import { formatBytes, terminalProgress } from "./progress";
import { registerVersions } from "./commands/versions";
import { downloadZip } from "./commands/zip";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ROOT: FileItem = {
  id: 0,
  identity: "0",
  name: "/",
  ext: "",
  size: 0,
  isDir: true,
  parentId: "0",
  mimeType: "",
  createTime: 0,
  updateTime: 0,
};

type Globals = { api?: string; json?: boolean; quiet?: boolean };

function apiUrl(opts: Globals) {
  return normalizeApi(opts.api || process.env.POLARIS_API || DEFAULT_API);
}
function client(opts: Globals, needLogin = true): Client {
  const api = apiUrl(opts);
  const creds = loadCredentials(api);
  if (needLogin && !creds) throw new NotLoggedInError(`not logged in to ${api}: run \`polaris login\` first`);
  return new Client(api, creds?.token);
}

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const json = (value: unknown): void => out(JSON.stringify(value, null, 2));

export { formatBytes };
function parseSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(value.trim());
  if (!m) throw new InvalidArgumentError(`not a size: ${value} (use e.g. 512, 10K, 5M, 1G)`);
  const mult = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[m[2].toLowerCase() as "" | "k"]!;
  return Math.round(Number(m[1]) * mult);
}
const time = (unix: number) => (unix ? new Date(unix * 1000).toISOString().slice(0, 16).replace("T", " ") : "-");

/** A remote path (`/a/b`, `a/b`) or an identity (UUID) → the item. */
async function resolveRemote(c: Client, ref: string): Promise<FileItem> {
  if (UUID.test(ref)) return (await c.detail(ref)).file;
  const parts = ref.split("/").filter((p) => p && p !== ".");
  let current = ROOT;
  for (const [i, name] of parts.entries()) {
    if (!current.isDir) throw new ApiError(300009, `not a folder: /${parts.slice(0, i).join("/")}`);
    const found = (await c.listAll(current.identity)).find((f) => f.name === name);
    if (!found) throw new ApiError(300001, `no such file or folder: /${parts.slice(0, i + 1).join("/")}`);
    current = found;
  }
  return current;
}
async function resolveFolder(c: Client, ref: string): Promise<FileItem> {
  const item = await resolveRemote(c, ref);
  if (!item.isDir) throw new ApiError(300009, `not a folder: ${ref}`);
  return item;
}
const splitPath = (ref: string) => {
  const parts = ref.split("/").filter(Boolean);
  return { parent: `/${parts.slice(0, -1).join("/")}`, name: parts[parts.length - 1] ?? "" };
};

/** One progress line on a terminal (stderr); nothing when output is piped or --quiet. */
function makeProgress(opts: Globals): Progress & { stop(): void } {
  if (opts.quiet || opts.json || !process.stderr.isTTY) {
    return { start: () => ({ update: () => undefined, stop: () => undefined }), stop: () => undefined };
  }
  return terminalProgress(process.stderr);
}

async function readPassword(prompt: string): Promise<string> {
  if (process.env.POLARIS_PASSWORD) return process.env.POLARIS_PASSWORD;
  if (!process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin });
    for await (const line of rl) return line;
    throw new UsageError("no password given (use --password, POLARIS_PASSWORD or stdin)");
  }
  // The prompt mutes the echo itself and puts the terminal back as it was on Enter and on Ctrl-C alike.
  try {
    return await password({ message: prompt }, { output: process.stderr });
  } catch (e) {
    if ((e as Error).name === "ExitPromptError") throw new Interrupted("interrupted at the password prompt");
    throw e;
  }
}

export function buildProgram(): Command {
  const program = new Command("polaris")
    .description("Polaris cloud drive from the terminal")
    .version("0.0.0")
    .addOption(new Option("--api <url>", "API base URL").env("POLARIS_API").default(DEFAULT_API))
    .option("--json", "machine-readable output")
    .option("-q, --quiet", "no progress bars")
    .addHelpText(
      "after",
      `\nThe API: --api <url>, else the POLARIS_API variable, else ${DEFAULT_API} (what \`npm start\` serves).\nLogins are kept per API in the config folder ($XDG_CONFIG_HOME/polaris or ~/.config/polaris).`,
    )
    .showHelpAfterError("(run `polaris --help` for usage)")
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });
  const g = () => program.opts<Globals>();

  const authAction = (register: boolean) => async (opts: { mobile: string; password?: string; name?: string }) => {
    const c = client(g(), false);
    const secret = opts.password ?? (await readPassword("password"));
    const pair = register ? await c.register(opts.mobile, secret, opts.name) : await c.login(opts.mobile, secret);
    saveCredentials(c.base, {
      token: pair.accessToken,
      mobile: opts.mobile,
      accessExpire: pair.accessExpire,
      refreshAfter: pair.refreshAfter,
    });
    if (g().json) json({ mobile: opts.mobile, api: c.base, accessExpire: pair.accessExpire });
    else out(`${register ? "registered and logged in" : "logged in"} as ${opts.mobile} at ${c.base}`);
  };
  program
    .command("login")
    .description("log in and store the token (0600) in the config folder")
    .requiredOption("-m, --mobile <mobile>", "mobile number")
    .option("-p, --password <password>", "password (or POLARIS_PASSWORD, or prompted)")
    .action(authAction(false));
  program
    .command("register")
    .description("create an account and log in")
    .requiredOption("-m, --mobile <mobile>", "mobile number")
    .option("-p, --password <password>", "password (or POLARIS_PASSWORD, or prompted)")
    .option("-n, --name <name>", "display name")
    .action(authAction(true));
  registerAccountCommands(program, {
    client: (needLogin) => client(g(), needLogin),
    json: () => Boolean(g().json),
    readPassword,
    formatBytes,
    parseSize,
  });
  program
    .command("whoami")
    .description("the signed-in user and quota")
    .action(async () => {
      const c = client(g());
      const [{ userInfo }, quota] = await Promise.all([c.info(), c.quota()]);
      if (g().json) return json({ ...userInfo, quota });
      out(`${userInfo.name || userInfo.mobile} (${userInfo.mobile}) at ${c.base}`);
      out(`quota: ${formatBytes(quota.usedSize)} used, ${formatBytes(quota.reservedSize)} reserved, ${formatBytes(quota.totalSize)} total`);
    });

  program
    .command("ls")
    .description("list a folder")
    .argument("[path]", "remote folder (or identity)", "/")
    .option("-l, --long", "identity, size and time")
    .addOption(new Option("-s, --sort <field>", "order").choices(["name", "size", "create_time", "update_time"]).default("name"))
    .option("-r, --reverse", "descending order")
    .action(async (path: string, opts: { long?: boolean; sort: InputOf<"file.list">["orderBy"]; reverse?: boolean }) => {
      const c = client(g());
      const item = await resolveRemote(c, path);
      const list = item.isDir ? await c.listAll(item.identity, opts.sort, opts.reverse ? "desc" : "asc") : [item];
      if (g().json) return json(list);
      for (const f of list) {
        const name = f.isDir ? `${f.name}/` : f.name;
        out(
          opts.long
            ? `${f.isDir ? "d" : "-"}  ${f.identity}  ${(f.isDir ? "-" : formatBytes(f.size)).padStart(7)}  ${time(f.updateTime)}  ${name}`
            : name,
        );
      }
    });

  program
    .command("mkdir")
    .description("create folders")
    .argument("<paths...>")
    .option("-p, --parents", "create missing parents, no error if it exists")
    .action(async (paths: string[], opts: { parents?: boolean }) => {
      const c = client(g());
      for (const path of paths) {
        const parts = path.split("/").filter(Boolean);
        if (!parts.length) throw new UsageError("mkdir: a folder name is required");
        let parent = opts.parents ? "0" : (await resolveFolder(c, splitPath(path).parent)).identity;
        let created: string = parent;
        for (const name of opts.parents ? parts : parts.slice(-1)) {
          created = opts.parents ? await ensureFolder(c, parent, name) : (await c.mkdir(name, parent)).identity;
          parent = created;
        }
        if (g().json) json({ path, identity: created });
        else out(`${created}  ${path}`);
      }
    });

  program
    .command("upload")
    .description("upload files and folders (resumable after Ctrl-C or a crash: run it again; instant when the content is known)")
    .argument("<local...>", "local files or folders")
    .option("-t, --to <remote>", "remote target folder", "/")
    .option("--limit-rate <size>", "at most this many bytes per second, e.g. 500K, 2M", parseSize)
    .addOption(
      new Option("--on-conflict <choice>", 'a name the folder has: rename (add " (n)"), version (a new version of that file) or fail')
        .choices(["rename", "version", "fail"])
        .default("rename"),
    )
    .action(async (locals: string[], opts: { to: string; limitRate?: number; onConflict: "rename" | "version" | "fail" }) => {
      for (const l of locals) if (!existsSync(l)) throw new UsageError(`upload: no such local file or folder: ${l}`);
      for (const l of locals) if (!(await isReadable(l)) && !statSync(l).isDirectory()) throw new UsageError(`upload: cannot read ${l}`);
      if (opts.limitRate !== undefined && opts.limitRate < 1)
        throw new UsageError("upload: --limit-rate must be at least 1 byte per second");
      const c = client(g());
      const target = await resolveFolder(c, opts.to);
      const progress = makeProgress(g());
      const limiter = opts.limitRate ? new RateLimiter(opts.limitRate) : undefined;
      // The first Ctrl-C stops the transfer cleanly (what is stored stays for the next run); a second one exits at once.
      const interrupt = new AbortController();
      const onSigint = () => (interrupt.signal.aborted ? process.exit(Exit.INTERRUPTED) : interrupt.abort());
      process.on("SIGINT", onSigint);
      const results: {
        local: string;
        identity: string;
        name: string;
        size: number;
        instant: boolean;
        resumed: boolean;
        reusedParts: number;
        sentParts: number;
      }[] = [];
      try {
        const one = async (local: string, parentId: string, remoteName: string) => {
          const r = await uploadFile(c, local, parentId, progress, {
            signal: interrupt.signal,
            limiter,
            onConflict: opts.onConflict,
            label: remoteName,
          });
          results.push({
            local,
            identity: r.file.identity,
            name: remoteName,
            size: r.file.size,
            instant: r.instant,
            resumed: r.resumed,
            reusedParts: r.reusedParts,
            sentParts: r.sentParts,
          });
          const kept = r.resumed && r.reusedParts ? `  (${r.reusedParts} of ${r.reusedParts + r.sentParts} parts were already stored)` : "";
          if (!g().json && (g().quiet || !process.stderr.isTTY))
            out(`${r.instant ? "instant " : r.resumed ? "resumed " : "uploaded"} ${r.file.identity}  ${remoteName}${kept}`);
        };
        // Every file is known before the first is sent: the progress line shows the whole transfer.
        const trees = new Map<string, Awaited<ReturnType<typeof walkLocal>>>();
        for (const local of locals) if (statSync(local).isDirectory()) trees.set(local, await walkLocal(local));
        const all = locals.flatMap((l) => trees.get(l)?.files.map((f) => f.path) ?? [l]);
        progress.plan?.(
          all.length,
          all.reduce((sum, path) => sum + statSync(path).size, 0),
        );
        for (const local of locals) {
          const tree = trees.get(local);
          if (tree) {
            const top = basename(resolve(local));
            const rootId = await ensureFolder(c, target.identity, top);
            const { dirs, files } = tree;
            const ids = new Map<string, string>([["", rootId]]);
            for (const d of dirs) {
              const i = d.lastIndexOf("/");
              ids.set(d, await ensureFolder(c, ids.get(i < 0 ? "" : d.slice(0, i))!, d.slice(i + 1)));
            }
            for (const f of files) {
              const i = f.rel.lastIndexOf("/");
              await one(f.path, ids.get(i < 0 ? "" : f.rel.slice(0, i))!, `${top}/${f.rel}`);
            }
          } else await one(local, target.identity, basename(local));
        }
      } finally {
        process.off("SIGINT", onSigint);
        progress.stop();
      }
      if (g().json) json(results);
      else if (process.stderr.isTTY && !g().quiet)
        out(`${results.length} file(s) uploaded (${results.filter((r) => r.instant).length} instant)`);
    });

  program
    .command("download")
    .description("download a file or a folder (an existing local file is kept unless --force)")
    .argument("<remote>")
    .argument("[local]", "local file or folder", ".")
    .option("-f, --force", "overwrite local files that exist")
    .option("-z, --zip", "as one zip that the server packs (folder structure kept)")
    .action(async (remote: string, local: string, opts: { force?: boolean; zip?: boolean }) => {
      if (opts.zip)
        return downloadZip(
          { client: () => client(g()), resolveRemote, json: () => !!g().json, out, progress: () => makeProgress(g()) },
          remote,
          local,
          !!opts.force,
        );
      const c = client(g());
      const item = await resolveRemote(c, remote);
      // Every file and where it goes, before any byte is written: a clash stops the download whole.
      const plan: { file: FileItem; dest: string }[] = [];
      const intoDir = existsSync(local) && statSync(local).isDirectory();
      if (!item.isDir) plan.push({ file: item, dest: intoDir ? join(local, item.name) : local });
      else {
        const walk = async (folder: FileItem, dir: string) => {
          for (const child of await c.listAll(folder.identity)) {
            if (child.isDir) await walk(child, join(dir, child.name));
            else plan.push({ file: child, dest: join(dir, child.name) });
          }
        };
        await walk(item, intoDir ? join(local, item.identity === "0" ? "polaris" : item.name) : local);
      }
      const existing = opts.force ? [] : plan.filter((p) => existsSync(p.dest)).map((p) => p.dest);
      if (existing.length)
        throw new UsageError(
          `download: ${existing.slice(0, 3).join(", ")}${existing.length > 3 ? ` and ${existing.length - 3} more` : ""} exist${existing.length === 1 ? "s" : ""}; nothing was downloaded (--force overwrites)`,
        );
      const progress = makeProgress(g());
      progress.plan?.(
        plan.length,
        plan.reduce((sum, p) => sum + p.file.size, 0),
      );
      const written: string[] = [];
      try {
        for (const { file, dest } of plan) {
          const { url } = await c.download(file.identity);
          await downloadTo(url, dest, file.size, progress, file.name);
          written.push(dest);
        }
      } finally {
        progress.stop();
      }
      if (g().json) json(written);
      else for (const w of written) out(`downloaded ${w}`);
    });

  const moveOrCopy = (kind: "mv" | "cp") => async (args: string[]) => {
    if (args.length < 2) throw new UsageError(`${kind}: need a source and a destination`);
    const c = client(g());
    const dest = args[args.length - 1];
    const sources = await Promise.all(args.slice(0, -1).map((s) => resolveRemote(c, s)));
    let target: FileItem | undefined;
    try {
      target = await resolveRemote(c, dest);
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 300001) throw e;
    }
    if (target?.isDir) {
      const ids = sources.map((s) => s.identity);
      const r = kind === "mv" ? (await c.move(ids, target.identity)).movedCount : (await c.copy(ids, target.identity)).copiedCount;
      return g().json ? json({ count: r }) : out(`${kind === "mv" ? "moved" : "copied"} ${r} item(s) to ${dest}`);
    }
    if (target) throw new ApiError(300013, `destination exists and is not a folder: ${dest}`);
    // destination does not exist: one source, moved/copied and renamed
    if (sources.length !== 1) throw new ApiError(300009, `no such folder: ${dest}`);
    const { parent, name } = splitPath(dest);
    const folder = await resolveFolder(c, parent);
    const src = sources[0];
    if (kind === "mv") {
      if (src.parentId !== folder.identity) await c.move([src.identity], folder.identity);
      const r = await c.rename(src.identity, name);
      return g().json ? json(r.file) : out(`moved to ${dest}`);
    }
    await c.copy([src.identity], folder.identity);
    // the copy is the newest item of that folder with the source's name (or its " (1)" variant)
    const copies = (await c.listAll(folder.identity, "create_time", "desc")).filter(
      (f) =>
        f.identity !== src.identity &&
        f.isDir === src.isDir &&
        (f.name === src.name || f.name.startsWith(src.name.replace(/(\.[^.]*)?$/, " ("))),
    );
    if (copies[0] && copies[0].name !== name) await c.rename(copies[0].identity, name);
    return g().json ? json({ count: 1 }) : out(`copied to ${dest}`);
  };
  program
    .command("mv")
    .description("move items into a folder, or move/rename one item")
    .argument("<paths...>", "sources… destination")
    .action(moveOrCopy("mv"));
  program
    .command("cp")
    .description("copy items into a folder (or one item to a new name)")
    .argument("<paths...>", "sources… destination")
    .action(moveOrCopy("cp"));
  program
    .command("rename")
    .description("rename an item")
    .argument("<path>")
    .argument("<name>")
    .action(async (path: string, name: string) => {
      const c = client(g());
      const r = await c.rename((await resolveRemote(c, path)).identity, name);
      g().json ? json(r.file) : out(`renamed to ${r.file.name}`);
    });
  program
    .command("rm")
    .description("move items to the recycle bin")
    .argument("<paths...>")
    .action(async (paths: string[]) => {
      const c = client(g());
      const items = await Promise.all(paths.map((p) => resolveRemote(c, p)));
      if (items.some((i) => i.identity === "0")) throw new UsageError("rm: refusing to delete the root folder");
      const r = await c.remove(items.map((i) => i.identity));
      g().json ? json(r) : out(`moved ${r.deletedCount} item(s) to the recycle bin`);
    });

  const trash = program.command("trash").description("the recycle bin: list, restore, rm, clear");
  const trashItems = async (c: Client, refs: string[]) => {
    const { list } = await c.trashList();
    return refs.map((ref) => {
      const hit = UUID.test(ref) ? list.find((i) => i.identity === ref) : list.find((i) => i.name === ref);
      if (!hit) throw new ApiError(300017, `not in the recycle bin: ${ref}`);
      return hit.identity;
    });
  };
  trash
    .command("list", { isDefault: true })
    .alias("ls")
    .description("list the recycle bin")
    .action(async () => {
      const c = client(g());
      const r = await c.trashList();
      if (g().json) return json(r.list);
      for (const i of r.list)
        out(
          `${i.identity}  ${(i.isDir ? "-" : formatBytes(i.size)).padStart(7)}  deleted ${time(i.deleteTime)}  purge ${time(i.purgeTime)}  ${i.name}${i.isDir ? "/" : ""}`,
        );
    });
  trash
    .command("restore")
    .description("restore items (by name or identity)")
    .argument("<items...>")
    .action(async (refs: string[]) => {
      const c = client(g());
      const r = await c.trashRestore(await trashItems(c, refs));
      g().json ? json(r) : out(`restored ${r.restoredCount} item(s)`);
    });
  trash
    .command("rm")
    .description("delete items for good")
    .argument("<items...>")
    .action(async (refs: string[]) => {
      const c = client(g());
      const r = await c.trashDelete(await trashItems(c, refs));
      g().json ? json(r) : out(`deleted ${r.deletedCount} item(s) for good`);
    });
  trash
    .command("clear")
    .description("empty the recycle bin")
    .action(async () => {
      const r = await client(g()).trashClear();
      g().json ? json(r) : out(`deleted ${r.deletedCount} item(s) for good`);
    });

  const expiry = (v: string) => {
    if (!["0", "1", "7", "30"].includes(v)) throw new InvalidArgumentError("must be 0 (never), 1, 7 or 30 days");
    return Number(v) as InputOf<"share.create">["expiredType"];
  };
  const share = program.command("share").description("share links: create (default), list, update, cancel");
  share
    .command("create", { isDefault: true })
    .description("share a file or folder")
    .argument("<path>")
    .option("-e, --expire <days>", "0 (never), 1, 7 or 30", expiry, 7)
    .option("--no-code", "no extraction code")
    .action(async (path: string, opts: { expire: InputOf<"share.create">["expiredType"]; code: boolean }) => {
      const c = client(g());
      const item = await resolveRemote(c, path);
      const r = await c.shareCreate(item.identity, opts.expire, opts.code);
      if (g().json) return json(r);
      out(`link: ${r.url || `${c.base}/s/${r.identity}`}`);
      if (r.code) out(`code: ${r.code}`);
      out(`expires: ${r.expiredTime ? time(r.expiredTime) : "never"}`);
    });
  share
    .command("list")
    .alias("ls")
    .description("my shares with their counters")
    .action(async () => {
      const r = await client(g()).shareList();
      if (g().json) return json(r.list);
      const status = ["active", "banned", "cancelled", "expired"];
      for (const s of r.list)
        out(
          `${s.identity}  ${(s.code || "----").padEnd(4)}  ${status[s.status] ?? s.status}  views ${s.clickNum}  saves ${s.saveNum}  expires ${s.expiredTime ? time(s.expiredTime) : "never"}  ${s.fileName}`,
        );
    });
  share
    .command("update")
    .description("change a share's expiry or code")
    .argument("<identity>")
    .option("-e, --expire <days>", "0 (never), 1, 7 or 30", expiry)
    .option("-c, --code <code>", "new extraction code")
    .action(async (identity: string, opts: { expire?: InputOf<"share.update">["expiredType"]; code?: string }) => {
      const r = await client(g()).shareUpdate({ identity, expiredType: opts.expire, code: opts.code });
      g().json ? json(r.share) : out(`updated ${identity}`);
    });
  share
    .command("cancel")
    .description("cancel shares")
    .argument("<identities...>")
    .action(async (ids: string[]) => {
      const r = await client(g()).shareCancel(ids);
      g().json ? json(r) : out(`cancelled ${r.cancelledCount} share(s)`);
    });

  program
    .command("search")
    .description("find files by name")
    .argument("[keyword]")
    .option("--ext <exts>", "extensions, comma separated")
    .option("--dirs", "folders only")
    .option("--files", "files only")
    .option("--min-size <size>", "e.g. 10K, 5M", parseSize)
    .option("--max-size <size>", "e.g. 1G", parseSize)
    .option("--in <folder>", "only below this folder")
    .addOption(new Option("--sort <field>").choices(["relevance", "name", "size", "create_time", "update_time"]).default("relevance"))
    .option("--desc", "descending")
    .option("-n, --limit <n>", "results", (v) => Number(v), 50)
    .action(
      async (
        keyword: string | undefined,
        opts: {
          ext?: string;
          dirs?: boolean;
          files?: boolean;
          minSize?: number;
          maxSize?: number;
          in?: string;
          sort: InputOf<"search.files">["sortBy"];
          desc?: boolean;
          limit: number;
        },
      ) => {
        if (opts.dirs && opts.files) throw new UsageError("search: --dirs and --files exclude each other");
        const c = client(g());
        const parentId = opts.in ? (await resolveFolder(c, opts.in)).identity : undefined;
        const r = await c.search({
          keyword,
          ext: opts.ext,
          isDir: opts.dirs ? "true" : opts.files ? "false" : undefined,
          minSize: opts.minSize,
          maxSize: opts.maxSize,
          parentId,
          sortBy: opts.sort,
          sortDesc: opts.desc ? "true" : undefined,
          page: 1,
          pageSize: Math.min(1000, Math.max(1, opts.limit)),
        });
        if (g().json) return json(r);
        for (const h of r.list) {
          const path = Array.isArray(h.path)
            ? `/${(h.path as { name: string }[]).map((p) => p.name).join("/")}`
            : typeof h.path === "string"
              ? h.path
              : "";
          out(
            `${h.identity}  ${(h.isDir ? "-" : formatBytes(h.size)).padStart(7)}  ${path ? `${path.replace(/\/$/, "")}/` : ""}${h.name}${h.isDir ? "/" : ""}`,
          );
        }
        process.stderr.write(`${r.total} result(s)\n`);
      },
    );

  registerVersions(program, {
    client: () => client(g()),
    resolveRemote,
    json: () => !!g().json,
    out,
    formatBytes,
    time,
    progress: () => makeProgress(g()),
  });

  return program;
}

export async function main(argv = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return Exit.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return Exit.OK;
      return e.exitCode === 0 ? Exit.OK : Exit.USAGE;
    }
    if (e instanceof Interrupted) return fail(Exit.INTERRUPTED, `polaris: ${e.message}`);
    if (e instanceof UsageError) return fail(Exit.USAGE, `polaris: ${e.message}`);
    if (e instanceof NotLoggedInError) return fail(Exit.NOT_LOGGED_IN, `polaris: ${e.message}`);
    if (e instanceof NetworkError) return fail(Exit.NETWORK, `polaris: network error: ${e.message}`);
    if (e instanceof ApiError) return fail(Exit.API, `polaris: error ${e.code}: ${e.message}`);
    const local = localFileProblem(e);
    if (local) return fail(Exit.API, `polaris: ${local}`);
    return fail(Exit.API, `polaris: ${(e as Error).stack ?? e}`);
  }
}
function fail(code: number, message: string) {
  process.stderr.write(`${message}\n`);
  return code;
}

// `node --import tsx packages/cli/src/main.ts …` runs it directly; bin/polaris.js calls main().
if (process.argv[1] && /cli[\\/]src[\\/]main\.ts$/.test(process.argv[1])) {
  main().then((code) => {
    process.exitCode = code;
  });
}
