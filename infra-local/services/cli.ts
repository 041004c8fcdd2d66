// npm run services -- up [postgres|aws|opensearch…] | down [names…] | status
import { down, resourceEnv, SERVICE_NAMES, status, up, type ServiceName } from "./index";
import { opensearchRssMiB } from "./opensearch";

// The SDK warns once per process that releases after January 2027 need Node 22: noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const [cmd = "status", ...rest] = process.argv.slice(2);
const names = (rest.length ? rest : [...SERVICE_NAMES]) as ServiceName[];
const t0 = Date.now();
const since = () => `${((Date.now() - t0) / 1000).toFixed(1)}s`;
const log = (line: string) => console.log(`${since().padStart(7)} ${line}`);

async function main() {
  switch (cmd) {
    case "up": {
      const endpoints = await up(names, { log });
      console.log(`\nup ${names.join(" ")}: all ready in ${since()}`);
      console.log("\nendpoints:");
      console.log(JSON.stringify(endpoints, null, 2));
      const rss = endpoints.opensearch ? opensearchRssMiB() : undefined;
      if (rss !== undefined) console.log(`\nopensearch JVM resident memory: ${rss} MiB`);
      console.log("\nenvironment for an app process:");
      for (const [k, v] of Object.entries(resourceEnv(endpoints))) console.log(`${k}=${v}`);
      break;
    }
    case "down":
      await down(names);
      console.log(`down ${names.join(" ")}: stopped in ${since()}`);
      break;
    case "status": {
      const s = await status();
      for (const [k, v] of Object.entries(s)) console.log(`${k.padEnd(11)} ${v}`);
      break;
    }
    default:
      console.error("usage: npm run services -- up [postgres|aws|opensearch ...] | down [names ...] | status");
      process.exit(2);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
