// The timeline as a trace: grants as parents with what was done under them (invocations,
// completions, revocations) and the grants they gave, each level in time order, plus synthetic rows
// for what did not arrive as an event: a grant's expiry (with or without a report) and submissions
// refused at ingest that named the chain. Pure, so the order and the filters are unit-tested.
import type { TChainDetail, TChainEvent, TChainRefusal, THop } from "@/lib/contracts/chains";

export type TTimelineRow =
  | { kind: "event"; key: string; at: number; depth: number; ancestors: string[]; event: TChainEvent; children: number }
  | { kind: "expiry"; key: string; at: number; depth: number; ancestors: string[]; hop: THop; reported: boolean }
  | { kind: "refused"; key: string; at: number; depth: number; ancestors: string[]; refusal: TChainRefusal };

type TNode = { at: number; seq: number; row: (depth: number, ancestors: string[]) => TTimelineRow; under?: string };

/** Rows in trace order: every event once, under the grant it belongs to. */
export function traceRows(detail: TChainDetail, refusals: readonly TChainRefusal[], now: number): TTimelineRow[] {
  const hops = new Map(detail.hops.map((h) => [h.jti, h] as const));
  const childrenOf = new Map<string | null, TNode[]>();
  const add = (parent: string | null, n: TNode) => {
    const list = childrenOf.get(parent);
    if (list) list.push(n);
    else childrenOf.set(parent, [n]);
  };
  for (const e of detail.events) {
    const isGrant = hops.has(e.jti);
    // A grant hangs under its parent grant; any other event under the grant it refers to.
    const parent = isGrant ? (e.ref && hops.has(e.ref) && e.ref !== e.jti ? e.ref : null) : e.ref && hops.has(e.ref) ? e.ref : null;
    add(parent, { at: e.iat, seq: e.seq, under: isGrant ? e.jti : undefined, row: (depth, ancestors) => eventRow(e, depth, ancestors) });
  }
  for (const h of detail.hops) {
    if (h.exp >= now) continue;
    add(h.jti, {
      at: h.exp,
      seq: Number.MAX_SAFE_INTEGER,
      row: (depth, ancestors) => ({
        kind: "expiry",
        key: `expiry:${h.jti}`,
        at: h.exp,
        depth,
        ancestors,
        hop: h,
        reported: h.completions.length > 0,
      }),
    });
  }
  for (const r of refusals) {
    const at = Date.parse(r.receivedAt) / 1000;
    add(null, {
      at,
      seq: Number.MAX_SAFE_INTEGER,
      row: (depth, ancestors) => ({ kind: "refused", key: `refused:${r.id}`, at, depth, ancestors, refusal: r }),
    });
  }
  for (const list of childrenOf.values()) list.sort((a, b) => a.at - b.at || a.seq - b.seq);

  const out: TTimelineRow[] = [];
  const seen = new Set<string>();
  // Iterative depth-first walk (a chain can be thousands of hops deep), cycle-safe.
  const stack: { node: TNode; depth: number; ancestors: string[] }[] = [];
  const pushChildren = (parent: string | null, depth: number, ancestors: string[]) => {
    const list = childrenOf.get(parent) ?? [];
    for (let i = list.length - 1; i >= 0; i--) stack.push({ node: list[i], depth, ancestors });
  };
  const visit = () => {
    while (stack.length) {
      const { node, depth, ancestors } = stack.pop()!;
      if (node.under && seen.has(node.under)) continue; // a grant reached again through a cycle
      const row = node.row(depth, ancestors);
      out.push(row);
      if (node.under) {
        seen.add(node.under);
        if (row.kind === "event") row.children = childrenOf.get(node.under)?.length ?? 0;
        pushChildren(node.under, depth + 1, [...ancestors, node.under]);
      }
    }
  };
  pushChildren(null, 0, []);
  visit();
  // Grants whose parents loop back on themselves never hang from the root: list them too.
  const eventOf = new Map(detail.events.map((e) => [e.jti, e] as const));
  for (const h of detail.hops) {
    const e = eventOf.get(h.jti);
    if (seen.has(h.jti) || !e) continue;
    stack.push({ node: { at: e.iat, seq: e.seq, under: e.jti, row: (d, a) => eventRow(e, d, a) }, depth: 0, ancestors: [] });
    visit();
  }
  return out;
}

function eventRow(e: TChainEvent, depth: number, ancestors: string[]): TTimelineRow {
  return { kind: "event", key: e.jti, at: e.iat, depth, ancestors, event: e, children: 0 };
}

/** What an event did, in one line. */
export function eventWhat(e: TChainEvent): string {
  const c = e.claims;
  switch (c.kind) {
    case "authorize":
    case "delegate":
      return `${c.scope.join(", ")} · ${c.purpose.code}`;
    case "invoke":
      return `${c.action} on ${c.resource}`;
    case "complete":
      return `${c.status} · ${c.result_hash.slice(0, 20)}…`;
    case "revoke":
      return `revokes ${c.target}${c.reason ? ` (${c.reason})` : ""}`;
    default:
      return "";
  }
}

export type TTimelineFilter = { findingsOnly: boolean; text: string; collapsed: ReadonlySet<string> };

/** Rows that pass the filters: findings only (flagged events, unreported expiries, refusals), text, collapsed grants. */
export function filterRows(rows: readonly TTimelineRow[], f: TTimelineFilter): TTimelineRow[] {
  const needle = f.text.trim().toLowerCase();
  return rows.filter((r) => {
    if (f.collapsed.size && r.ancestors.some((a) => f.collapsed.has(a))) return false;
    if (f.findingsOnly) {
      const flagged = r.kind === "event" ? r.event.findings.length > 0 : r.kind === "expiry" ? !r.reported : true;
      if (!flagged) return false;
    }
    if (!needle) return true;
    return rowText(r).toLowerCase().includes(needle);
  });
}

function rowText(r: TTimelineRow): string {
  if (r.kind === "event") {
    const e = r.event;
    return [e.jti, e.kind, e.iss, e.aud ?? "", e.ref ?? "", eventWhat(e), ...e.findings.map((x) => x.code)].join(" ");
  }
  if (r.kind === "expiry") return `${r.hop.jti} expired ${r.reported ? "" : "no report missing_evidence"}`;
  return `${r.refusal.jti ?? ""} refused ${r.refusal.code} ${r.refusal.message}`;
}

/** "+0 s", "+45 s", "+12 min", "+3 h 5 min", "+2 d 4 h": the time since the chain started. */
export function offsetText(seconds: number): string {
  const s = Math.round(seconds);
  const sign = s < 0 ? "−" : "+";
  const a = Math.abs(s);
  if (a < 60) return `${sign}${a} s`;
  if (a < 3600) return `${sign}${Math.floor(a / 60)} min`;
  if (a < 86400) {
    const m = Math.floor((a % 3600) / 60);
    return `${sign}${Math.floor(a / 3600)} h${m ? ` ${m} min` : ""}`;
  }
  const h = Math.floor((a % 86400) / 3600);
  return `${sign}${Math.floor(a / 86400)} d${h ? ` ${h} h` : ""}`;
}
