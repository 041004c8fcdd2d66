/** Small readers over synthesized CloudFormation templates, for the stack tests. */

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
export interface Resource {
  Type: string;
  Properties?: Json;
  DependsOn?: string | string[];
}
export type Resources = Record<string, Resource>;

export const ofType = (resources: Resources, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

/**
 * A readable string for a CloudFormation value: joins are joined, pseudo parameters resolved
 * ("aws" for the partition), references shown as <Ref:X>, <GetAtt:X.Y>, <Import:X>.
 */
export function flat(value: Json): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(flat).join(",");
  if (value && typeof value === "object") {
    if ("Ref" in value)
      return value.Ref === "AWS::Partition" ? "aws" : value.Ref === "AWS::URLSuffix" ? "amazonaws.com" : `<Ref:${value.Ref}>`;
    if ("Fn::Join" in value) return (value["Fn::Join"][1] as Json[]).map(flat).join(value["Fn::Join"][0]);
    if ("Fn::GetAtt" in value) return `<GetAtt:${[value["Fn::GetAtt"]].flat().join(".")}>`;
    if ("Fn::ImportValue" in value) return `<Import:${flat(value["Fn::ImportValue"])}>`;
    if ("Fn::Sub" in value) return `<Sub:${flat([value["Fn::Sub"]].flat()[0])}>`;
    if ("Fn::Select" in value) return `<Select:${value["Fn::Select"][0]}:${flat(value["Fn::Select"][1])}>`;
    return JSON.stringify(value);
  }
  return String(value);
}

/** Every logical id a value refers to (Ref, Fn::GetAtt, ${X} in Fn::Sub). */
export function references(value: Json, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => references(v, into));
  else if (value && typeof value === "object") {
    for (const [key, v] of Object.entries<Json>(value)) {
      if (key === "Ref" && typeof v === "string") into.add(v);
      else if (key === "Fn::GetAtt") into.add(Array.isArray(v) ? v[0] : String(v).split(".")[0]);
      else if (key === "Fn::Sub") {
        const text = Array.isArray(v) ? v[0] : v;
        for (const m of String(text).matchAll(/\$\{([^}.!]+)[^}]*\}/g)) into.add(m[1]!);
        if (Array.isArray(v)) references(v[1], into);
      } else references(v, into);
    }
  }
  return into;
}

/** A cycle among a template's resources (what CloudFormation rejects at deploy time), if any. */
export function findCycle(resources: Resources): string[] | undefined {
  const edges = new Map<string, string[]>();
  for (const [id, r] of Object.entries(resources)) {
    const deps = new Set([...references(r.Properties ?? {}), ...[r.DependsOn ?? []].flat()]);
    edges.set(
      id,
      [...deps].filter((d) => d in resources),
    );
  }
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === "done") return undefined;
    if (state.get(id) === "visiting") return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, "visiting");
    stack.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: Json;
  Condition?: Json;
  Principal?: Json;
}

/** Every identity-policy statement of the template, with the roles it is attached to. */
export function identityStatements(resources: Resources): { policy: string; roles: string[]; statement: Statement }[] {
  const out: { policy: string; roles: string[]; statement: Statement }[] = [];
  for (const [id, r] of ofType(resources, "AWS::IAM::Policy")) {
    const roles = (r.Properties.Roles ?? []).map((x: Json) => flat(x).replace(/^<Ref:(.*)>$/, "$1"));
    for (const statement of r.Properties.PolicyDocument.Statement) out.push({ policy: id, roles, statement });
  }
  for (const [id, r] of ofType(resources, "AWS::IAM::Role")) {
    for (const p of r.Properties.Policies ?? []) {
      for (const statement of p.PolicyDocument.Statement) out.push({ policy: `${id}/${p.PolicyName}`, roles: [id], statement });
    }
  }
  return out;
}

export const actionsOf = (s: Statement) => [s.Action].flat();
export const resourcesOf = (s: Statement) => [s.Resource ?? []].flat().map(flat);

/** The role logical id of a function resource. */
export const roleOf = (fn: Resource) => flat(fn.Properties.Role).replace(/^<GetAtt:(.*)\.Arn>$/, "$1");
