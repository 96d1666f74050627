// The results table printed at the end of a run, and the shape of --json.
import type { TMachine } from "./machine";
import type { TDownload, TIngestRun } from "./http";
import { LOST_CLICK_MS, type TGraphRun } from "./graph";
import type { TLatency } from "./stats";
import type { TWorstGrant } from "./worst-grant";
import type { TObservedIngest } from "./observed";

type TLoad = [number, number, number];

export type TBenchReport = {
  mode: string;
  database: string;
  at: string;
  machine: TMachine & { loadAtStart: TLoad; loadAtEnd: TLoad };
  /** AIP chained tokens (3 blocks = 3 verifications each) against the raw rate measured just before */
  aipIngest?: {
    tokens: number;
    blocks: number;
    batchSize: number;
    seconds: number;
    tokensPerSec: number;
    blockVerificationsPerSec: number;
    rawVerifyPerSec: number;
    rawVerifyOneCorePerSec: number;
  };
  ingest: {
    /** the batches-of-1000 run, and the raw rate on every core (what the server uses) measured just before it */
    eventsPerSec: number;
    rawVerifyPerSec: number;
    rawVerifyOneCorePerSec: number;
    ratioToRawVerify: number;
    rawVerifyAtStartPerSec: number;
    rawVerifyOneCoreAtStartPerSec: number;
    /** each run with the raw rates measured just before it */
    runs: (TIngestRun & { interleaved: boolean; rawVerifyPerSec: number; rawVerifyOneCorePerSec: number; load: TLoad })[];
    /** the untimed rounds before the runs, one per shape: a cold server's first requests (absent before 2026-12-06) */
    warmup?: (TIngestRun & { interleaved: boolean })[];
    fill: { events: number; seconds: number; backgroundEventsPerSec: number };
  };
  chainQuery: {
    storedEvents: number;
    /** the largest chain's detail p95, each read right after an event landed in the chain */
    p95Ms: number;
    /** the same chain read again and again unchanged */
    p95MsRepeatedReads: number;
    load: TLoad;
    /** every chain read repeatedly and right after each change; the largest once more revalidated (304) */
    detail: ({
      hops: number;
      events: number;
      reads: "repeated" | "after a change" | "after a change, with raw tokens" | "revalidated";
      bytes: number;
    } & TLatency)[];
    list: ({ filter: string; items: number; bytes: number } & TLatency)[];
    listP95Ms: number;
  };
  exports: {
    load: TLoad;
    pdf: { hops: number } & TDownload;
    csvChain: { events: number } & TDownload;
    csvAll: { filter: string } & TDownload;
  };
  /** the granted-vs-used reads over HTTP (docs/least-privilege.md#cost), after the chain reads */
  leastPrivilege: { storedEvents: number; load: TLoad; reads: ({ name: string; bytes: number } & TLatency)[] };
  /** one batch per chain: a 256-scope, 256-data, 256-egress authorize, a 256-scope delegate, an invoke; then its first read */
  worstGrant: TWorstGrant & { load: TLoad };
  /** OTLP ingest, spans per second (scripts/bench/observed.ts) */
  observed: TObservedIngest & { load: TLoad };
  graph: { load: TLoad; runs: TGraphRun[] };
  memory: {
    peakTreeMiB: number;
    atPeak: { name: string; mib: number }[];
    peakByProcess: { name: string; mib: number }[];
    peakServerMiB: number;
    serverByPhase: { phase: string; mib: number }[];
  };
  ledger: { ok: boolean; count: number };
};

const fmt = (n: number) => n.toLocaleString("en-US");

/** Issue 18: every granted-vs-used read (principal page, purpose, ranking, report) at 1M events. */
export const LP_TARGET_P95_MS = 200;

function downloadCell(d: TDownload, what: (d: Extract<TDownload, { status: "ok" }>) => string): string {
  return d.status === "ok" ? what(d) : `n/a (${d.reason})`;
}

function verdict(ok: boolean | null): string {
  return ok === null ? "–" : ok ? "met" : "MISSED";
}

export function tableRows(r: TBenchReport): string[][] {
  const rows: string[][] = [];
  const l1 = (l: TLoad) => l[0].toFixed(2);
  rows.push([
    "raw Ed25519 verify (node:crypto)",
    `${fmt(r.ingest.rawVerifyAtStartPerSec)} /s on every core, ${fmt(r.ingest.rawVerifyOneCoreAtStartPerSec)} /s on one, at start`,
    "reference",
    "–",
    l1(r.machine.loadAtStart),
  ]);
  for (const run of r.ingest.runs) {
    rows.push([
      `ingest over HTTP, batches of ${run.batchSize}${run.interleaved ? ", interleaved chains" : ""}, ${run.clients} clients`,
      `${fmt(run.eventsPerSec)} events/s = ${Math.round((run.eventsPerSec / run.rawVerifyPerSec) * 100)}% of raw ${fmt(run.rawVerifyPerSec)}/s on every core just before ` +
        `(${Math.round((run.eventsPerSec / run.rawVerifyOneCorePerSec) * 100)}% of one core's ${fmt(run.rawVerifyOneCorePerSec)}/s; req p95 ${run.request.p95Ms} ms)`,
      "≥ 50% of raw, every core",
      verdict(run.eventsPerSec >= run.rawVerifyPerSec / 2),
      l1(run.load),
    ]);
  }
  for (const run of r.ingest.warmup ?? []) {
    rows.push([
      `ingest over HTTP, the untimed warm-up before the runs (a cold server), batches of ${run.batchSize}${run.interleaved ? ", interleaved chains" : ""}`,
      `${fmt(run.eventsPerSec)} events/s over ${fmt(run.events)} events (req p95 ${run.request.p95Ms} ms)`,
      "reported",
      "–",
      "–",
    ]);
  }
  if (r.aipIngest) {
    const a = r.aipIngest;
    rows.push([
      `AIP ingest, 3-block chained tokens, batches of ${a.batchSize}`,
      `${fmt(a.tokensPerSec)} tokens/s = ${fmt(a.blockVerificationsPerSec)} block signatures/s, ` +
        `${Math.round((a.blockVerificationsPerSec / a.rawVerifyOneCorePerSec) * 100)}% of one core's raw ${fmt(a.rawVerifyOneCorePerSec)}/s ` +
        `(${Math.round((a.blockVerificationsPerSec / a.rawVerifyPerSec) * 100)}% of every core's ${fmt(a.rawVerifyPerSec)}/s)`,
      "reported",
      "–",
      "–",
    ]);
  }
  const readsLabel = {
    repeated: "repeated reads",
    "after a change": "each read right after a change",
    "after a change, with raw tokens": "each read right after a change, ?include=raw (the body before 2026-12-03)",
    revalidated: "revalidated, If-None-Match → 304",
  } as const;
  for (const d of r.chainQuery.detail) {
    const isTarget = d.hops >= 1000 && d.reads !== "revalidated";
    rows.push([
      `chain detail, ${fmt(d.hops)} hops (${fmt(d.events)} events${d.bytes ? `, ${Math.round(d.bytes / 1024)} KiB` : ""}), ${readsLabel[d.reads]}`,
      `p50 ${d.p50Ms} ms, p95 ${d.p95Ms} ms`,
      isTarget ? "p95 ≤ 50 ms" : "–",
      isTarget ? verdict(d.p95Ms <= 50) : "–",
      l1(r.chainQuery.load),
    ]);
  }
  for (const l of r.chainQuery.list) {
    rows.push([
      `chain list, ${l.filter}`,
      `p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms (${l.items} items)`,
      "p95 ≤ 100 ms",
      verdict(l.p95Ms <= 100),
      l1(r.chainQuery.load),
    ]);
  }
  rows.push(["  (stored events during the reads)", fmt(r.chainQuery.storedEvents), "", "", ""]);
  for (const l of r.leastPrivilege.reads) {
    rows.push([
      `least privilege, ${l.name} (${fmt(r.leastPrivilege.storedEvents)} events stored)`,
      `p50 ${l.p50Ms} ms, p95 ${l.p95Ms} ms`,
      `p95 ≤ ${LP_TARGET_P95_MS} ms`,
      verdict(l.p95Ms <= LP_TARGET_P95_MS),
      l1(r.leastPrivilege.load),
    ]);
  }
  const w = r.worstGrant;
  rows.push([
    `worst legal grant (256 scopes/data/egress, a 256-scope delegate, an invoke; ${Math.round(w.tokenBytes / 1024)} KiB), one batch`,
    `ingest p50 ${w.ingest.p50Ms} ms, p95 ${w.ingest.p95Ms} ms; first chain read p50 ${w.read.p50Ms} ms, p95 ${w.read.p95Ms} ms (${w.runs} chains)`,
    "–",
    "–",
    l1(w.load),
  ]);
  for (const f of r.observed.pure) {
    rows.push([
      `OTLP ${f.encoding}${f.gzip ? "+gzip" : ""} decode + assemble (pure, ${f.spans} spans)`,
      `${fmt(f.spansPerSec)} spans/s`,
      "–",
      "–",
      l1(r.observed.load),
    ]);
  }
  for (const h of r.observed.http) {
    rows.push([
      `OTLP ${h.encoding}${h.gzip ? "+gzip" : ""} over HTTP, stored (${h.spans} spans, ${h.requests} requests)`,
      `${fmt(h.spansPerSec)} spans/s`,
      "–",
      "–",
      l1(r.observed.load),
    ]);
  }
  const e = r.exports;
  rows.push([
    `PDF report, ${e.pdf.hops}-hop chain`,
    downloadCell(e.pdf, (d) => `${Math.round(d.ms)} ms (${Math.round(d.bytes / 1024)} KiB)`),
    "≤ 2 s",
    e.pdf.status === "ok" ? verdict(e.pdf.ms <= 2000) : "–",
    l1(e.load),
  ]);
  for (const [name, d] of [
    [`CSV, one chain (${fmt(e.csvChain.events)} events)`, e.csvChain],
    [`CSV, many-chain export (${e.csvAll.filter || "every event"})`, e.csvAll],
  ] as const) {
    const rate = d.status === "ok" ? Math.round(d.rows / (d.ms / 1000)) : 0;
    rows.push([
      name,
      downloadCell(d, (x) => `${fmt(x.rows)} rows in ${Math.round(x.ms)} ms = ${fmt(rate)} rows/s`),
      "≥ 150k rows/s",
      d.status === "ok" ? verdict(rate >= 150_000) : "–",
      l1(e.load),
    ]);
  }
  for (const g of r.graph.runs) {
    const big = g.nodes >= 1000;
    rows.push([
      `graph, ${fmt(g.nodes)} nodes: opening view`,
      `${fmt(g.renderedNodes)} drawn (${fmt(g.domNodes)} in the DOM, in view) at ${fmt(g.firstNodesMs)} ms, interactive at ${fmt(g.interactiveMs)} ms${g.lostClicks ? ` (${g.lostClicks} click${g.lostClicks > 1 ? "s" : ""} on the node opened nothing in ${LOST_CLICK_MS / 1000} s and ${g.lostClicks > 1 ? "were" : "was"} made again)` : ""}`,
      big ? "≥ 400 drawn, interactive ≤ 1.5 s" : "–",
      big ? verdict(g.renderedNodes >= Math.min(400, g.nodes) && g.interactiveMs <= 1500) : "–",
      l1(r.graph.load),
    ]);
    rows.push([
      `graph, ${fmt(g.nodes)} nodes: "Show all"`,
      g.showAll
        ? `${fmt(g.showAll.nodes)} drawn in ${fmt(g.showAll.ms)} ms (${g.showAll.render}, ${fmt(g.showAll.painted)} painted)`
        : "everything drawn at opening",
      g.nodes >= 5000 ? "all within 3 s" : "–",
      g.nodes >= 5000 ? verdict(g.showAll !== null && g.showAll.nodes >= g.nodes && g.showAll.ms <= 3000) : "–",
      l1(r.graph.load),
    ]);
    rows.push([
      `graph, ${fmt(g.nodes)} nodes: pan and zoom, everything drawn`,
      `frame p50 ${g.frames.p50Ms} ms, p95 ${g.frames.p95Ms} ms, max ${g.frames.maxMs} ms (${g.frames.n} frames)`,
      big ? "p95 ≤ 50 ms" : "–",
      big ? verdict(g.frames.p95Ms <= 50) : "–",
      l1(r.graph.load),
    ]);
  }
  const mb = (mib: number) => Math.round(mib * 1.048576);
  const phases = r.memory.serverByPhase.map((p) => `${p.phase} ${mb(p.mib)}`).join(", ");
  rows.push([
    "server peak RSS, next-server process",
    `${mb(r.memory.peakServerMiB)} MB (by phase: ${phases})`,
    "< 400 MB",
    verdict(mb(r.memory.peakServerMiB) < 400),
    l1(r.machine.loadAtEnd),
  ]);
  rows.push([
    "server peak RSS, whole npm-start tree",
    `${mb(r.memory.peakTreeMiB)} MB (${r.memory.atPeak.map((p) => `${p.name} ${mb(p.mib)}`).join(" + ")})`,
    "< 400 MB",
    verdict(mb(r.memory.peakTreeMiB) < 400),
    l1(r.machine.loadAtEnd),
  ]);
  rows.push(["ledger verify at the end", `${r.ledger.ok ? "ok" : "BROKEN"}, ${fmt(r.ledger.count)} events`, "ok", verdict(r.ledger.ok), ""]);
  return rows;
}

export function printReport(r: TBenchReport): void {
  const m = r.machine;
  console.log(`\nDelegraph benchmark — ${r.mode} mode, ${r.database}, ${r.at}`);
  console.log(
    `${m.nproc} cores (${m.cpu}), ${m.memoryGiB} GiB, Node ${m.node}; load ${m.loadAtStart.join(" ")} at start, ${m.loadAtEnd.join(" ")} at end\n`,
  );
  const header = ["measurement", "result", "target", "", "load 1m"];
  const rows = [header, ...tableRows(r)];
  const widths = header.map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => "| " + row.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  console.log(line(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const row of rows.slice(1)) console.log(line(row));
  console.log("");
}
