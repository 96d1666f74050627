// Read models beyond single chains: the overview, principals, findings and investigations.
import { containsText, db, isPostgres } from "@/lib/db";
import { AppError } from "@/lib/http";
import { countFindingsByIssuer } from "@/lib/registry/principals";
import { CHAIN_ROW_SELECT, nowSeconds, toChainSummary } from "@/lib/chains/queries";
import { loadChainInputs } from "@/lib/chains/load";
import { checkChain, readTimeFindings } from "@/lib/protocol/chain";
import type { TClaims } from "@/lib/protocol/types";


const DAY = 86_400;

export async function getStats(now = nowSeconds()) {
  const prisma = await db();
  const since = new Date((now - 30 * DAY) * 1000);
  const [totalChains, totalEvents, byStatus, overdueVerified, recent] = await Promise.all([
    prisma.chain.count(),
    prisma.event.count(),
    prisma.chain.groupBy({ by: ["status"], _count: { _all: true } }),
    prisma.chain.count({ where: { status: "verified", evidenceDue: { lt: now } } }),
    prisma.chain.findMany({
      where: { status: "violation" },
      orderBy: [{ lastEventAt: "desc" }],
      take: 8,
      select: CHAIN_ROW_SELECT,
    }),
  ]);
  const chainsByStatus = { verified: 0, warning: 0, pending: 0, violation: 0 } as Record<string, number>;
  for (const row of byStatus) chainsByStatus[row.status] = row._count._all;
  // Read-time missing_evidence turns verified chains into warnings.
  chainsByStatus.verified -= overdueVerified;
  chainsByStatus.warning += overdueVerified;

  const findingsOverTime = mergeDays(await findingsByDay(since), await overdueEvidenceByDay(since, now));
  const topPrincipals = await principalsWithMostFindings(8);
  return {
    totalChains,
    totalEvents,
    chainsByStatus,
    recentViolations: recent.map((r) => toChainSummary(r, now)),
    findingsOverTime,
    topPrincipals,
  };
}

/** Findings by code per day of their chain's latest activity, over the last 30 days. */
async function findingsByDay(since: Date) {
  const prisma = await db();
  const rows = await prisma.finding.findMany({
    where: { chain: { lastEventAt: { gte: since } } },
    select: { code: true, chain: { select: { lastEventAt: true } } },
    take: 50_000,
  });
  const counts = new Map<string, number>();
  for (const r of rows) {
    const day = r.chain.lastEventAt.toISOString().slice(0, 10);
    const key = `${day}\u0000${r.code}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts]
    .map(([key, count]) => {
      const [day, code] = key.split("\u0000");
      return { day, code, count };
    })
    .sort((a, b) => a.day.localeCompare(b.day) || a.code.localeCompare(b.code));
}

/** Read-time missing_evidence, counted on the day each open grant's exp passed. */
async function overdueEvidenceByDay(since: Date, now: number) {
  const prisma = await db();
  const rows = await prisma.chain.findMany({
    where: { evidenceDue: { lt: now } },
    select: { openGrantExps: true },
    take: 50_000,
  });
  const sinceSeconds = since.getTime() / 1000;
  const counts = new Map<string, number>();
  for (const r of rows) {
    for (const exp of JSON.parse(r.openGrantExps) as number[]) {
      if (exp >= now || exp < sinceSeconds) continue;
      const day = new Date(exp * 1000).toISOString().slice(0, 10);
      counts.set(day, (counts.get(day) ?? 0) + 1);
    }
  }
  return [...counts].map(([day, count]) => ({ day, code: "missing_evidence", count }));
}

function mergeDays(...lists: { day: string; code: string; count: number }[][]) {
  return lists.flat().sort((a, b) => a.day.localeCompare(b.day) || a.code.localeCompare(b.code));
}

async function principalsWithMostFindings(limit: number) {
  const prisma = await db();
  const principals = await prisma.principal.findMany({ select: { id: true, kind: true }, take: 5000 });
  const counts = await countFindingsByIssuer(principals.map((p) => p.id));
  return principals
    .map((p) => ({ principalId: p.id, kind: p.kind, findings: counts.get(p.id) ?? 0 }))
    .filter((p) => p.findings > 0)
    .sort((a, b) => b.findings - a.findings || a.principalId.localeCompare(b.principalId))
    .slice(0, limit);
}

export async function getPrincipal(id: string, now = nowSeconds()) {
  const prisma = await db();
  const principal = await prisma.principal.findUnique({ where: { id }, include: { keys: { orderBy: { createdAt: "asc" } } } });
  if (!principal) throw new AppError("not_found", `No principal ${id}.`);
  const [chains, findings] = await Promise.all([
    prisma.chain.findMany({
      where: { principals: { some: { principalId: id } } },
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      take: 50,
      select: CHAIN_ROW_SELECT,
    }),
    prisma.$queryRawUnsafe<{ code: string; severity: string; message: string; eventJti: string; chainId: string }[]>(
      `SELECT f."code", f."severity", f."message", f."eventJti", f."chainId" FROM "Finding" f
       JOIN "Event" e ON e."jti" = f."eventJti" WHERE e."iss" = ${placeholder(1)} ORDER BY f."id" DESC LIMIT 100`,
      id,
    ),
  ]);
  return {
    principal: { id: principal.id, kind: principal.kind, name: principal.name, createdAt: principal.createdAt.toISOString() },
    keys: principal.keys.map((k) => {
      const jwk = JSON.parse(k.jwk) as { kty?: string; crv?: string };
      return { kid: k.kid, kty: jwk.kty ?? null, crv: jwk.crv ?? null, thumbprint: k.thumbprint, revokedAt: k.revokedAt, createdAt: k.createdAt.toISOString() };
    }),
    chains: chains.map((c) => toChainSummary(c, now)),
    findings,
  };
}

function placeholder(n: number): string {
  return isPostgres() ? `$${n}` : "?";
}

type TFindingsQuery = {
  code?: string;
  severity?: string;
  principal?: string;
  chain?: string;
  cursor?: string;
  limit: number;
};

/**
 * Findings, newest first. Stored findings page by id; `code=missing_evidence` lists the read-time
 * broken audit trails instead, computed now from the chains whose evidence is overdue (paged by
 * chain). Without a code filter the answer also says how many chains have overdue evidence.
 */
export async function listFindings(q: TFindingsQuery, now = nowSeconds()) {
  if (q.code === "missing_evidence") return listMissingEvidence(q, now);
  const cursor = q.cursor === undefined ? undefined : Number(q.cursor);
  if (cursor !== undefined && !(Number.isSafeInteger(cursor) && cursor > 0)) {
    throw new AppError("invalid_request", "cursor is not valid; use nextCursor from a previous page.");
  }
  const stored = await listStoredFindings({ ...q, cursor });
  const prisma = await db();
  const overdueChains =
    q.severity && q.severity !== "warning"
      ? 0
      : await prisma.chain.count({
          where: {
            evidenceDue: { lt: now },
            ...(q.chain ? { id: q.chain } : {}),
            ...(q.principal ? { principals: { some: { principalId: q.principal } } } : {}),
          },
        });
  return { ...stored, readTime: { missingEvidenceChains: overdueChains } };
}

const READ_TIME_CHAIN_PAGE = 50;

async function listMissingEvidence(q: TFindingsQuery, now: number) {
  const prisma = await db();
  if (q.severity && q.severity !== "warning") return { items: [], nextCursor: null, readTime: { missingEvidenceChains: 0 } };
  const chains = await prisma.chain.findMany({
    where: {
      evidenceDue: { lt: now },
      ...(q.chain ? { id: q.chain } : {}),
      ...(q.cursor ? { id: { gt: q.cursor } } : {}),
      ...(q.principal ? { principals: { some: { principalId: q.principal } } } : {}),
    },
    orderBy: { id: "asc" },
    take: Math.min(q.limit, READ_TIME_CHAIN_PAGE) + 1,
    select: { id: true },
  });
  const page = chains.slice(0, Math.min(q.limit, READ_TIME_CHAIN_PAGE));
  const inputs = await loadChainInputs(prisma, page.map((c) => c.id));
  const items = [];
  for (const input of inputs.values()) {
    const late = readTimeFindings(checkChain(input), now);
    const claimsOf = new Map(input.events.map((e) => [e.jti, e.claims]));
    for (const [jti, f] of late) {
      const c = claimsOf.get(jti);
      items.push({
        id: `${input.chainId}#${jti}`,
        code: f.code,
        severity: f.severity,
        message: f.message,
        eventJti: jti,
        chainId: input.chainId,
        eventKind: c?.kind ?? null,
        iss: c?.iss ?? null,
        iat: c?.iat ?? null,
        isReadTime: true,
      });
    }
  }
  return {
    items,
    nextCursor: chains.length > page.length ? page[page.length - 1].id : null,
    readTime: { missingEvidenceChains: null },
  };
}

async function listStoredFindings(q: Omit<TFindingsQuery, "cursor"> & { cursor?: number }) {
  const prisma = await db();
  const rows = await prisma.finding.findMany({
    where: {
      ...(q.code ? { code: q.code } : {}),
      ...(q.severity ? { severity: q.severity } : {}),
      ...(q.chain ? { chainId: q.chain } : {}),
      ...(q.cursor ? { id: { lt: q.cursor } } : {}),
      ...(q.principal ? { chain: { principals: { some: { principalId: q.principal } } } } : {}),
    },
    orderBy: { id: "desc" },
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const events = page.length
    ? await prisma.event.findMany({
        where: { jti: { in: [...new Set(page.map((f) => f.eventJti))] } },
        select: { jti: true, kind: true, iss: true, iat: true },
      })
    : [];
  const eventOf = new Map(events.map((e) => [e.jti, e]));
  return {
    items: page.map((f) => ({
      id: f.id,
      code: f.code,
      severity: f.severity,
      message: f.message,
      eventJti: f.eventJti,
      chainId: f.chainId,
      eventKind: eventOf.get(f.eventJti)?.kind ?? null,
      iss: eventOf.get(f.eventJti)?.iss ?? null,
      iat: eventOf.get(f.eventJti)?.iat ?? null,
      isReadTime: false,
    })),
    nextCursor: rows.length > q.limit ? String(page[page.length - 1].id) : null,
  };
}

async function findingsFor(jtis: string[]) {
  const prisma = await db();
  const rows = jtis.length
    ? await prisma.finding.findMany({ where: { eventJti: { in: jtis } }, select: { eventJti: true, code: true, severity: true } })
    : [];
  const out = new Map<string, { code: string; severity: string }[]>();
  for (const r of rows) out.set(r.eventJti, [...(out.get(r.eventJti) ?? []), { code: r.code, severity: r.severity }]);
  return out;
}

const INVESTIGATION_LIMIT = 500;

/** Who touched this resource: every invoke whose resource contains the text, newest first. */
export async function whoTouchedResource(resource: string) {
  const prisma = await db();
  const rows = await prisma.event.findMany({
    where: { kind: "invoke", claims: containsText(resource) },
    orderBy: { seq: "desc" },
    take: INVESTIGATION_LIMIT * 4,
    select: { jti: true, chainId: true, iss: true, iat: true, status: true, claims: true },
  });
  const needle = resource.toLowerCase();
  const hits = rows
    .map((r) => ({ ...r, parsed: JSON.parse(r.claims) as TClaims }))
    .filter((r) => r.parsed.kind === "invoke" && r.parsed.resource.toLowerCase().includes(needle))
    .slice(0, INVESTIGATION_LIMIT);
  const findings = await findingsFor(hits.map((h) => h.jti));
  return {
    items: hits.map((h) => {
      const c = h.parsed as Extract<TClaims, { kind: "invoke" }>;
      return { jti: h.jti, chainId: h.chainId, iss: h.iss, action: c.action, resource: c.resource, iat: h.iat, status: h.status, findings: findings.get(h.jti) ?? [] };
    }),
    truncated: hits.length === INVESTIGATION_LIMIT,
  };
}

/** Blast radius: everything a principal signed or received since time T, and the chains involved. */
export async function principalActivity(principal: string, since: number, now = nowSeconds()) {
  const prisma = await db();
  const rows = await prisma.event.findMany({
    where: { OR: [{ iss: principal }, { aud: principal }], iat: { gte: since } },
    orderBy: { seq: "desc" },
    take: INVESTIGATION_LIMIT + 1,
    select: { jti: true, kind: true, chainId: true, iss: true, aud: true, ref: true, iat: true },
  });
  const events = rows.slice(0, INVESTIGATION_LIMIT);
  const findings = await findingsFor(events.map((e) => e.jti));
  const chainIds = [...new Set(events.map((e) => e.chainId))];
  const chains = chainIds.length
    ? await prisma.chain.findMany({ where: { id: { in: chainIds } }, orderBy: [{ startedAt: "desc" }], select: CHAIN_ROW_SELECT })
    : [];
  return {
    events: events.map((e) => ({ ...e, findings: findings.get(e.jti) ?? [] })),
    chains: chains.map((c) => toChainSummary(c, now)),
    truncated: rows.length > INVESTIGATION_LIMIT,
  };
}
