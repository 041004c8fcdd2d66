import { createHash } from "node:crypto";
import { startServer } from "./http";
import { api, attempt, load, progress, type Figures } from "./lib";

/**
 * Latency and throughput of the public share endpoints at 50 concurrent clients: `validate` with
 * the extraction code, and `detail` of a shared folder with 50 children using the share token, with
 * the server's CPU per request (`…_cpu_ms_per_req`). One that fails is noted and the other still runs.
 */
export async function benchShares(): Promise<Figures> {
  // All load comes from one address; the attempts it has in flight at once must not count as guessing.
  const server = await startServer({ SHARE_CODE_MAX_FAILURES_PER_ADDRESS: "1000000" });
  const figures: Figures = {};
  try {
    const base = server.url;
    const mobile = `1${String(Date.now()).slice(-10)}`;
    const { accessToken: token } = await api(base, "POST", "/usercenter/v1/user/register", { mobile, password: "bench-password" });
    const folder = await api(base, "POST", "/file/v1/folder/create", { name: "shared" }, token);
    for (let i = 0; i < 40; i++) await api(base, "POST", "/file/v1/folder/create", { name: `d${i}`, parentId: folder.identity }, token);
    for (let i = 0; i < 10; i++) {
      const content = Buffer.from(`polaris share bench file ${i}`);
      const hash = createHash("sha256").update(content).digest("hex");
      const plan = await api(
        base,
        "POST",
        "/file/v1/upload/presign",
        { hash, size: content.length, name: `f${i}.txt`, parentId: folder.identity },
        token,
      );
      await fetch(plan.uploadUrl, { method: "PUT", headers: plan.headers, body: content });
      await api(base, "POST", "/file/v1/upload/callback", { uploadKey: plan.uploadKey }, token);
    }
    const share = await api(
      base,
      "POST",
      "/share/v1/share/create",
      { fileIdentity: folder.identity, expiredType: 7, hasCode: true },
      token,
    );
    const { shareToken } = await api(base, "POST", "/share/v1/share/validate", { identity: share.identity, code: share.code });
    const detailQuery = new URLSearchParams({ identity: share.identity, shareToken });

    const targets: [string, Parameters<typeof load>[1]][] = [
      [
        "share_validate",
        { url: `${base}/share/v1/share/validate`, method: "POST", body: JSON.stringify({ identity: share.identity, code: share.code }) },
      ],
      ["share_detail", { url: `${base}/share/v1/share/detail?${detailQuery}` }],
    ];
    for (const [name, target] of targets) {
      progress(`${name} at 50 connections`);
      Object.assign(figures, await attempt(name, () => load(name, target, { pid: server.pid })));
    }
  } finally {
    await server.stop();
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) console.table(await benchShares());
