import { beforeAll, describe, expect, it } from "vitest";
import { synthesize, type Synthesized } from "./harness";
import { flat, ofType, type Resources } from "./template-support";

/** `sst dev`: live Lambda stubs whose handlers run on the laptop, outside the VPC. */
let synth: Synthesized;
const resources = (name: string): Resources => synth.stacks.find((s) => s.name === name)!.template.toJSON().Resources;
const LOCAL_DB = "postgres://polaris:polaris@127.0.0.1:15432/polaris";
const LOCAL_SEARCH = "http://127.0.0.1:19200";

beforeAll(async () => {
  process.env.POLARIS_DEV_DATABASE_URL = LOCAL_DB;
  process.env.POLARIS_DEV_OPENSEARCH_URL = LOCAL_SEARCH;
  synth = await synthesize({ stage: "devtest", mode: "dev" });
});

describe("sst dev", () => {
  it("points the laptop-run handlers at reachable PostgreSQL and OpenSearch when given", () => {
    const api = ofType(resources("Api"), "AWS::Lambda::Function").filter(([, f]) => f.Properties.Environment?.Variables?.SST_APP);
    expect(api.length).toBeGreaterThan(0);
    for (const [id, f] of api) {
      const env = f.Properties.Environment.Variables;
      expect(env.DATABASE_URL, id).toBe(LOCAL_DB);
      if (env.OPENSEARCH_URL) expect(env.OPENSEARCH_URL, id).toBe(LOCAL_SEARCH);
      expect(f.Properties.Handler, id).toBe("live-lambda.handler");
    }
  });

  it("keeps the migrate function deployed (a custom resource cannot wait for a laptop)", () => {
    const r = resources("Data");
    const [[, script]] = ofType(r, "Custom::SSTScript") as [string, any][];
    const migrate = r[flat(script.Properties.UserCreateFunction).replace(/^<Ref:(.*)>$/, "$1")]!;
    expect(migrate.Properties.Handler).not.toBe("live-lambda.handler");
  });

  it("still passes cdk-nag", () => {
    expect(synth.findings.map((f) => `${f.path}: ${f.message.split("\n")[0]}`)).toEqual([]);
  });
});
