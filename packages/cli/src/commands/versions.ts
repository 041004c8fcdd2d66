/**
 * `polaris versions <path>`: a file's versions (the current one first), and with an option one of
 * them downloaded, restored (it becomes a new current version) or deleted. Versions are made by
 * uploading to a name that exists with `polaris upload --on-conflict version`.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import type { Client, FileItem } from "../client";
import { UsageError } from "../errors";
import { downloadTo, type Progress } from "../transfer";

/** What main.ts lends the command: its client, path resolution, output and progress helpers. */
export interface VersionsContext {
  client(): Client;
  resolveRemote(c: Client, ref: string): Promise<FileItem>;
  json(): boolean;
  out(line: string): void;
  formatBytes(n: number): string;
  time(unix: number): string;
  progress(): Progress & { stop(): void };
}

type Options = { get?: string; output?: string; restore?: string; delete?: string };

export function registerVersions(program: Command, ctx: VersionsContext) {
  program
    .command("versions")
    .description("a file's versions, the current one first; --get, --restore or --delete one of them by its id")
    .argument("<path>", "remote file (or identity)")
    .option("--get <id>", "download that version")
    .option("-o, --output <local>", "where --get writes (a file, or a folder to put the file's name in)", ".")
    .option("--restore <id>", "make that version's content a new current version")
    .option("--delete <id>", "delete that previous version for good")
    .action(async (path: string, opts: Options) => {
      const chosen = [opts.get, opts.restore, opts.delete].filter((v) => v !== undefined);
      if (chosen.length > 1) throw new UsageError("versions: --get, --restore and --delete exclude each other");
      const c = ctx.client();
      const file = await ctx.resolveRemote(c, path);
      if (file.isDir) throw new UsageError(`versions: ${path} is a folder; only files have versions`);
      if (opts.restore) {
        const r = await c.versionRestore(opts.restore);
        return ctx.json() ? ctx.out(JSON.stringify(r, null, 2)) : ctx.out(`restored as the new current version ${r.version.identity}`);
      }
      if (opts.delete) {
        await c.versionDelete(opts.delete);
        return ctx.json() ? ctx.out(JSON.stringify({ deleted: opts.delete })) : ctx.out(`deleted version ${opts.delete}`);
      }
      const { list } = await c.versions(file.identity);
      if (opts.get) {
        const version = list.find((v) => v.identity === opts.get);
        if (!version) throw new UsageError(`versions: ${opts.get} is not a version of ${path} (see \`polaris versions ${path}\`)`);
        const dest = existsSync(opts.output!) && statSync(opts.output!).isDirectory() ? join(opts.output!, file.name) : opts.output!;
        const progress = ctx.progress();
        try {
          await downloadTo((await c.versionDownload(version.identity)).url, dest, version.size, progress, file.name);
        } finally {
          progress.stop();
        }
        return ctx.json() ? ctx.out(JSON.stringify({ written: dest, version: version.identity })) : ctx.out(dest);
      }
      if (ctx.json()) return ctx.out(JSON.stringify(list, null, 2));
      for (const v of list)
        ctx.out(
          `${v.identity}  ${ctx.formatBytes(v.size).padStart(7)}  ${ctx.time(v.createTime)}  ${v.uploader}${v.current ? "  (current)" : ""}`,
        );
    });
}
