/**
 * `polaris passwd`, `polaris logout [--all]` and `polaris admin …`: the account and administrator
 * routes of the public API (`user.changePassword`, `user.logout`, `admin.*`).
 */
import { createInterface } from "node:readline/promises";
import { type Command, InvalidArgumentError } from "commander";
import type { Client } from "../client";
import { loadCredentials, saveCredentials } from "../config";
import { UsageError } from "../errors";

export interface AccountContext {
  client(needLogin?: boolean): Client;
  json(): boolean;
  /** Asks on the terminal without echo (or reads a line of piped stdin). */
  readPassword(prompt: string): Promise<string>;
  formatBytes(n: number): string;
  parseSize(value: string): number;
}

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const time = (unix: number) => (unix ? new Date(unix * 1000).toISOString().slice(0, 16).replace("T", " ") : "-");

/** Piped stdin gives the passwords not passed as options, one per line (the current one first). */
async function pipedLines(): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: process.stdin })) lines.push(line);
  return lines;
}

export function registerAccountCommands(program: Command, ctx: AccountContext) {
  const print = (value: unknown, text: () => void) => (ctx.json() ? out(JSON.stringify(value, null, 2)) : text());

  program
    .command("passwd")
    .description("change the password; every other session (browser, CLI) is signed out, this one stays")
    .option("--old <password>", "the current password (else prompted)")
    .option("--new <password>", "the new password, 6 to 72 characters (else prompted twice)")
    .action(async (opts: { old?: string; new?: string }) => {
      const c = ctx.client();
      let { old: current, new: next } = opts;
      if ((current === undefined || next === undefined) && !process.stdin.isTTY) {
        const lines = await pipedLines();
        current ??= lines.shift();
        next ??= lines.shift();
      }
      current ??= await ctx.readPassword("current password");
      if (next === undefined) {
        next = await ctx.readPassword("new password");
        if ((await ctx.readPassword("new password again")) !== next) throw new UsageError("passwd: the new passwords differ");
      }
      if (!current || !next) throw new UsageError("passwd: the current and the new password are required");
      const pair = await c.call("user.changePassword", { oldPassword: current, newPassword: next });
      const creds = loadCredentials(c.base)!;
      saveCredentials(c.base, { ...creds, token: pair.accessToken, accessExpire: pair.accessExpire, refreshAfter: pair.refreshAfter });
      print({ changed: true }, () => out("password changed; other sessions are signed out"));
    });

  program
    .command("logout")
    .description("sign out: the token is revoked on the server and forgotten here")
    .option("--all", "sign out every session of the account (browsers and other terminals too)")
    .action(async (opts: { all?: boolean }) => {
      const c = ctx.client(false);
      const creds = loadCredentials(c.base);
      // A token the server no longer takes is signed out already: forgetting it is all that is left.
      const revoked = creds ? await c.call("user.logout", { all: Boolean(opts.all) }).catch(() => null) : null;
      saveCredentials(c.base, undefined);
      print({ all: revoked?.all ?? false }, () => out(revoked?.all ? "logged out everywhere" : "logged out"));
    });

  const admin = program.command("admin").description("administrator commands (the account must be an administrator)");
  admin
    .command("users")
    .description("list users (newest first), or those whose mobile or name contains a keyword")
    .argument("[keyword]")
    .action(async (keyword?: string) => {
      const r = await ctx.client().call("admin.users", { keyword, page: 1, pageSize: 1000 });
      print(r, () => {
        for (const u of r.list)
          out(
            `${u.mobile}  ${u.role.padEnd(5)}  ${u.disabled ? "disabled" : "enabled "}  ${ctx.formatBytes(u.usedSize).padStart(7)} / ${ctx.formatBytes(u.totalSize).padEnd(7)}  ${String(u.items).padStart(6)} items  last login ${time(u.lastLoginTime)}  ${u.name}`,
          );
        process.stderr.write(`${r.total} user(s)\n`);
      });
    });
  admin
    .command("quota")
    .description("set a user's quota, e.g. 20G; below their usage only with --force")
    .argument("<mobile>")
    .argument("<size>", "bytes, or with K, M, G, T", (v) => ctx.parseSize(v))
    .option("--force", "set it even below what the user uses")
    .action(async (mobile: string, size: number, opts: { force?: boolean }) => {
      const { user } = await ctx.client().call("admin.setQuota", { mobile, totalSize: size, force: opts.force });
      print(user, () => out(`${user.mobile}: quota ${ctx.formatBytes(user.totalSize)}, ${ctx.formatBytes(user.usedSize)} used`));
    });
  for (const [name, disabled] of [
    ["disable", true],
    ["enable", false],
  ] as const)
    admin
      .command(name)
      .description(disabled ? "disable a user: their sessions end, their shares close; files stay" : "enable a disabled user")
      .argument("<mobile>")
      .action(async (mobile: string) => {
        const { user } = await ctx.client().call("admin.setDisabled", { mobile, disabled });
        print(user, () => out(`${user.mobile} is ${user.disabled ? "disabled" : "enabled"}`));
      });
  for (const [name, role] of [
    ["grant", "admin"],
    ["revoke", "user"],
  ] as const)
    admin
      .command(name)
      .description(role === "admin" ? "make a user an administrator" : "make an administrator a user again")
      .argument("<mobile>")
      .action(async (mobile: string) => {
        const { user } = await ctx.client().call("admin.setRole", { mobile, role });
        print(user, () => out(`${user.mobile} is ${user.role === "admin" ? "an administrator" : "a user"}`));
      });
  admin
    .command("reset-password")
    .description("give a user a new one-time password (printed once); their sessions end")
    .argument("<mobile>")
    .action(async (mobile: string) => {
      const r = await ctx.client().call("admin.passwordReset", { mobile });
      print(r, () => out(`new password for ${r.mobile}: ${r.password}`));
    });
  admin
    .command("shares")
    .description("every user's shares, newest first")
    .option("--banned", "only banned shares")
    .action(async (opts: { banned?: boolean }) => {
      const r = await ctx.client().call("admin.shares", { status: opts.banned ? 1 : undefined, page: 1, pageSize: 1000 });
      const states = ["active", "banned", "cancelled", "expired"];
      print(r, () => {
        for (const s of r.list)
          out(`${s.identity}  ${states[s.status]!.padEnd(9)}  ${s.ownerMobile}  views ${s.clickNum}  saves ${s.saveNum}  ${s.fileName}`);
        process.stderr.write(`${r.total} share(s)\n`);
      });
    });
  for (const [name, banned] of [
    ["ban", true],
    ["unban", false],
  ] as const)
    admin
      .command(name)
      .description(banned ? "ban a share: visitors get 403 400005" : "lift a share's ban")
      .argument("<identity>", "the share's identity", (v) => {
        if (!/^[0-9a-f-]{36}$/i.test(v)) throw new InvalidArgumentError("not a share identity");
        return v;
      })
      .action(async (identity: string) => {
        const { share } = await ctx.client().call("admin.shareBan", { identity, banned });
        print(share, () => out(`${share.identity} is ${share.status === 1 ? "banned" : "not banned"}`));
      });
  admin
    .command("stats")
    .description("users, files, storage, deduplication and the instant-upload rate per day")
    .action(async () => {
      const s = await ctx.client().call("admin.stats");
      print(s, () => {
        out(`users ${s.users} (${s.admins} administrators, ${s.disabledUsers} disabled)  shares ${s.shares} (${s.bannedShares} banned)`);
        out(`files ${s.files}  contents ${s.blobs}  stored ${ctx.formatBytes(s.storedBytes)}  logical ${ctx.formatBytes(s.logicalBytes)}`);
        out(`deduplication ${s.dedupRatio.toFixed(2)}x  instant uploads ${(s.instantRate * 100).toFixed(1)}% over 30 days`);
        for (const d of s.uploadDays) if (d.completed) out(`  ${d.day}  ${d.instant}/${d.completed}  ${(d.rate * 100).toFixed(1)}%`);
      });
    });
  admin
    .command("audit")
    .description("the administrators' actions, newest first")
    .action(async () => {
      const r = await ctx.client().call("admin.audit", { page: 1, pageSize: 1000 });
      print(r, () => {
        for (const a of r.list) out(`${time(a.time)}  ${a.actorMobile || "-"}  ${a.action}  ${a.target}${a.detail ? `  ${a.detail}` : ""}`);
      });
    });
}
