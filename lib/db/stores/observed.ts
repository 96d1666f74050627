// The observed store (docs/observed.md): spans received over OTLP or built from MCP/A2A captures,
// the stitching keys of their traces, and the assembled observed chains with their Chain rows (so
// they join the chain list with source otel or capture and status "observed"). The service
// (lib/observed-ingest) decides what to write; everything of one request is written in one
// transaction. Shared by both databases (Prisma).
import type { TDatabase, TTx } from "../connect";

export type TObservedSpanRow = { traceId: string; spanId: string; source: string; data: string };
export type TStoredObservedSpan = TObservedSpanRow & { chainId: string | null; receivedAt: Date };

/** One observed chain as written: its list row, its findings and the assembled chain (JSON). */
export type TObservedChainWrite = {
  id: string;
  source: string;
  rootIss: string;
  rootAud: string | null;
  purposeText: string | null;
  startedAt: number;
  lastEventAt: Date;
  hopCount: number;
  eventCount: number;
  warningCount: number;
  findingCodes: string;
  searchText: string;
  findings: { eventJti: string; code: string; severity: string; message: string }[];
  traceIds: string[];
  data: string;
};

export type TObservedWrite = {
  spans: TObservedSpanRow[];
  keys: { key: string; traceId: string }[];
  chains: TObservedChainWrite[];
  /** observed chains that no longer exist (merged into another) */
  removeChainIds: string[];
  /** which chain each trace now belongs to (null: no agent activity yet) */
  chainOfTrace: { traceId: string; chainId: string | null }[];
};

export type TObservedStore = {
  /** traces that stated any of these stitching keys */
  tracesWithKeys(keys: string[]): Promise<string[]>;
  /** the stitching keys these traces stated */
  keysOfTraces(traceIds: string[]): Promise<{ key: string; traceId: string }[]>;
  /** every stored span of these traces */
  spansOfTraces(traceIds: string[]): Promise<TStoredObservedSpan[]>;
  /** the traces whose spans belong to these chains */
  traceIdsOfChains(chainIds: string[]): Promise<string[]>;
  /** one request's spans, keys and re-assembled chains, in one transaction; ids of chains not written (a signed chain holds the id) */
  write(w: TObservedWrite): Promise<{ skipped: string[] }>;
  /** the assembled chain behind an otel/capture Chain row */
  chain(id: string): Promise<{ traceIds: string[]; data: string } | null>;
  /** stored signed events whose traceparent claim names one of these traces, in ledger order */
  signedEventsOfTraces(traceIds: string[]): Promise<TSignedEventOfTrace[]>;
};

export type TSignedEventOfTrace = {
  jti: string;
  chainId: string;
  kind: string;
  iss: string;
  aud: string | null;
  status: string;
  traceId: string;
  claims: string;
};

const CHUNK = 500;
function chunks<T>(xs: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}
const OBSERVED = ["otel", "capture"];

function chainRow(c: TObservedChainWrite) {
  return {
    status: "observed",
    source: c.source,
    rootJti: null,
    rootIss: c.rootIss,
    rootAud: c.rootAud,
    purposeCode: null,
    purposeText: c.purposeText,
    startedAt: c.startedAt,
    hopCount: c.hopCount,
    eventCount: c.eventCount,
    criticalCount: 0,
    errorCount: 0,
    warningCount: c.warningCount,
    findingCodes: c.findingCodes,
    evidenceDue: null,
    openGrantExps: "[]",
    searchText: c.searchText,
    lastEventAt: c.lastEventAt,
  };
}

/** Writes the chains (a few statements per chain, the rest batched); the ids a signed chain holds are skipped. */
async function writeChains(tx: TTx, chains: TObservedChainWrite[]): Promise<string[]> {
  const ids = chains.map((c) => c.id);
  const signed = new Set<string>();
  for (const part of chunks(ids)) {
    const rows = await tx.chain.findMany({ where: { id: { in: part }, source: { notIn: OBSERVED } }, select: { id: true } });
    for (const r of rows) signed.add(r.id);
  }
  const writable = chains.filter((c) => !signed.has(c.id));
  for (const c of writable) {
    const row = chainRow(c);
    await tx.chain.upsert({ where: { id: c.id }, create: { id: c.id, ...row }, update: { ...row, version: { increment: 1 } } });
  }
  const writableIds = writable.map((c) => c.id);
  for (const part of chunks(writableIds)) {
    await tx.finding.deleteMany({ where: { chainId: { in: part } } });
    await tx.observedChain.deleteMany({ where: { id: { in: part } } });
  }
  const findings = writable.flatMap((c) => c.findings.map((f) => ({ chainId: c.id, ...f })));
  // A finding carries its event's iat, as at ingest (lib/db/stores/ingest.ts); a span is no stored event, so mostly null.
  const iatOf = new Map<string, number>();
  for (const part of chunks([...new Set(findings.map((f) => f.eventJti))]))
    for (const e of await tx.event.findMany({ where: { jti: { in: part } }, select: { jti: true, iat: true } })) iatOf.set(e.jti, e.iat);
  for (const part of chunks(findings)) await tx.finding.createMany({ data: part.map((f) => ({ ...f, iat: iatOf.get(f.eventJti) ?? null })) });
  const observed = writable.map((c) => ({ id: c.id, traceIds: JSON.stringify(c.traceIds), data: c.data }));
  for (const part of chunks(observed, 100)) await tx.observedChain.createMany({ data: part });
  return ids.filter((id) => signed.has(id));
}

export function createObservedStore(db: TDatabase): TObservedStore {
  const prisma = db.prisma;
  return {
    tracesWithKeys: async (keys) => {
      const out = new Set<string>();
      for (const part of chunks([...new Set(keys)])) {
        for (const r of await prisma.observedKey.findMany({ where: { key: { in: part } }, select: { traceId: true } })) out.add(r.traceId);
      }
      return [...out].sort();
    },
    keysOfTraces: async (traceIds) => {
      const out: { key: string; traceId: string }[] = [];
      for (const part of chunks([...new Set(traceIds)])) {
        out.push(...(await prisma.observedKey.findMany({ where: { traceId: { in: part } }, select: { key: true, traceId: true } })));
      }
      return out.sort((a, b) => (a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    spansOfTraces: async (traceIds) => {
      const out: TStoredObservedSpan[] = [];
      for (const part of chunks([...new Set(traceIds)])) {
        out.push(
          ...(await prisma.observedSpan.findMany({
            where: { traceId: { in: part } },
            orderBy: [{ traceId: "asc" }, { spanId: "asc" }],
            select: { traceId: true, spanId: true, source: true, data: true, chainId: true, receivedAt: true },
          })),
        );
      }
      return out;
    },
    traceIdsOfChains: async (chainIds) => {
      const out = new Set<string>();
      for (const part of chunks([...new Set(chainIds)])) {
        const rows = await prisma.observedSpan.findMany({ where: { chainId: { in: part } }, distinct: ["traceId"], select: { traceId: true } });
        for (const r of rows) out.add(r.traceId);
      }
      return [...out].sort();
    },
    write: (w) =>
      prisma.$transaction(
        async (tx) => {
          // Spans: a re-sent span replaces its row.
          for (const part of chunks(w.spans, 200)) {
            await tx.observedSpan.deleteMany({ where: { OR: part.map((s) => ({ traceId: s.traceId, spanId: s.spanId })) } });
            await tx.observedSpan.createMany({ data: part.map((s) => ({ ...s, chainId: null })) });
          }
          // Keys: only the new ones (SQLite has no insert-or-skip in createMany).
          const wanted = new Map(w.keys.map((k) => [`${k.traceId}\u0000${k.key}`, k] as const));
          for (const part of chunks([...new Set(w.keys.map((k) => k.traceId))])) {
            const have = await tx.observedKey.findMany({ where: { traceId: { in: part } }, select: { key: true, traceId: true } });
            for (const h of have) wanted.delete(`${h.traceId}\u0000${h.key}`);
          }
          for (const part of chunks([...wanted.values()])) await tx.observedKey.createMany({ data: part });
          // Chains.
          for (const part of chunks(w.removeChainIds)) {
            const gone = (await tx.chain.findMany({ where: { id: { in: part }, source: { in: OBSERVED } }, select: { id: true } })).map((r) => r.id);
            await tx.observedChain.deleteMany({ where: { id: { in: gone } } });
            await tx.chain.deleteMany({ where: { id: { in: gone } } });
          }
          const skipped = await writeChains(tx, w.chains);
          const skippedSet = new Set(skipped);
          const byChain = new Map<string | null, string[]>();
          for (const { traceId, chainId } of w.chainOfTrace) {
            const key = chainId !== null && skippedSet.has(chainId) ? null : chainId;
            if (!byChain.has(key)) byChain.set(key, []);
            byChain.get(key)!.push(traceId);
          }
          for (const [chainId, traceIds] of byChain) {
            for (const part of chunks(traceIds)) await tx.observedSpan.updateMany({ where: { traceId: { in: part } }, data: { chainId } });
          }
          return { skipped };
        },
        { timeout: 60_000, maxWait: 30_000 },
      ),
    signedEventsOfTraces: async (traceIds) => {
      const out: TSignedEventOfTrace[] = [];
      for (const part of chunks([...new Set(traceIds)])) {
        const rows = await prisma.event.findMany({
          where: { traceId: { in: part } },
          orderBy: { seq: "asc" },
          select: { jti: true, chainId: true, kind: true, iss: true, aud: true, status: true, traceId: true, claims: true },
        });
        for (const r of rows) out.push({ ...r, traceId: r.traceId! });
      }
      return out;
    },
    chain: async (id) => {
      const row = await prisma.observedChain.findUnique({ where: { id }, select: { traceIds: true, data: true } });
      return row ? { traceIds: JSON.parse(row.traceIds) as string[], data: row.data } : null;
    },
  };
}
