import { createHash } from "node:crypto";

/** A Content-Security-Policy source for exactly this inline text. */
const sha256Source = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

const style = `
body{font:14px/1.5 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7fb}
header{background:#1d2330;color:#fff;padding:16px 24px}main{max-width:1000px;margin:auto;padding:16px}
details{background:#fff;border:1px solid #dde1ea;border-radius:6px;margin:6px 0}summary{cursor:pointer;padding:8px 12px}
.m{display:inline-block;width:48px;font-weight:600}.GET{color:#0a7b32}.POST{color:#a15c00}.lock{color:#888}
pre{background:#f0f2f7;padding:8px;overflow:auto;margin:0 12px 12px}h2{margin-top:24px}table{border-collapse:collapse}td,th{border:1px solid #dde1ea;padding:2px 8px}
.top{color:#9cf}
`;

const script = `
fetch("openapi.json").then(r=>r.json()).then(doc=>{
  const esc=s=>String(s).replace(/[&<>]/g,c=>({"&":"&amp;","<":"&lt;",">":"&gt;"}[c]));
  const main=document.getElementById("main"); main.innerHTML="";
  const intro=document.createElement("div"); intro.innerHTML=esc(doc.info.description).replace(/\\n/g,"<br>"); main.append(intro);
  const byTag={};
  for(const [path,ops] of Object.entries(doc.paths)) for(const [method,op] of Object.entries(ops))
    (byTag[op.tags?.[0]||"Other"] ??= []).push({path,method:method.toUpperCase(),op});
  for(const [tag,items] of Object.entries(byTag)){
    const h=document.createElement("h2"); h.textContent=tag; main.append(h);
    for(const {path,method,op} of items){
      const d=document.createElement("details");
      const req=op.requestBody?.content?.["application/json"]?.schema; const params=op.parameters||[];
      d.innerHTML='<summary><span class="m '+method+'">'+method+'</span> <code>'+esc(path)+'</code> — '+esc(op.summary||"")+(op.security?.length?' <span class="lock">🔒 JWT</span>':'')+'</summary>'
        +(params.length?'<pre>'+esc(params.map(p=>p.in+" "+p.name+(p.required?" (required)":"")+": "+JSON.stringify(p.schema)).join("\\n"))+'</pre>':'')
        +(req?'<pre>body: '+esc(JSON.stringify(req,null,2))+'</pre>':'')
        +'<pre>'+esc(Object.entries(op.responses).map(([s,r])=>s+": "+r.description).join("\\n"))+'</pre>'
        +'<pre>200 data: '+esc(JSON.stringify(op.responses["200"]?.content?.["application/json"]?.schema?.properties?.data ?? {},null,2))+'</pre>';
      main.append(d);
    }
  }
});
`;

/**
 * A self-contained reference page that renders /openapi.json in the browser. It loads nothing from
 * other hosts, so it works offline and behind a strict network.
 */
export const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Polaris API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>${style}</style></head><body><header><h1 id="title">Polaris API</h1><a class="top" href="openapi.json">openapi.json</a></header>
<main id="main">Loading…</main>
<script>${script}</script></body></html>`;

/** What the page may load: its own inline style and script (by hash), and the document from its origin. */
export const docsPagePolicy = `default-src 'none'; script-src ${sha256Source(script)}; style-src ${sha256Source(style)}; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'`;
