// Investigations: who touched a resource, and everything a principal signed or received since T
// (the blast radius of a compromised key).
import { stores } from "@/lib/db";
import { nowSeconds, nameChains, toChainSummary } from "@/lib/chains/queries";
import type { TBlastRefusal, TFindingBrief, TPrincipalInvestigation, TResourceInvestigation } from "@/lib/contracts/investigate";
import { loadChainInputs } from "@/lib/chains/load";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { blastTree, type TBlastEvent } from "./blast-radius";
import type { TClaims, TEventKind, TFindingCode, TSeverity } from "@/lib/protocol/types";

const INVESTIGATION_LIMIT = 500;

async function findingsFor(jtis: string[]): Promise<Map<string, TFindingBrief[]>> {
  const rows = await (await stores()).insights.findingBriefs(jtis);
  const out = new Map<string, TFindingBrief[]>();
  for (const r of rows) out.set(r.eventJti, [...(out.get(r.eventJti) ?? []), { code: r.code as TFindingCode, severity: r.severity as TSeverity }]);
  return out;
}

/** Every invoke whose resource contains the text (case-insensitive), newest first. */
export async function whoTouchedResource(resource: string): Promise<TResourceInvestigation> {
  const rows = await (await stores()).insights.invokesMentioning(resource, INVESTIGATION_LIMIT * 4);
  const needle = resource.toLowerCase();
  const hits = rows
    .map((r) => ({ ...r, parsed: JSON.parse(r.claims) as TClaims }))
    .filter((r) => r.parsed.kind === "invoke" && r.parsed.resource.toLowerCase().includes(needle))
    .slice(0, INVESTIGATION_LIMIT);
  const findings = await findingsFor(hits.map((h) => h.jti));
  return {
    items: hits.map((h) => {
      const c = h.parsed as Extract<TClaims, { kind: "invoke" }>;
      return {
        jti: h.jti,
        chainId: h.chainId,
        iss: h.iss,
        action: c.action,
        resource: c.resource,
        iat: h.iat,
        status: h.status,
        findings: findings.get(h.jti) ?? [],
      };
    }),
    truncated: hits.length === INVESTIGATION_LIMIT,
  };
}

const TREE_LIMIT = 2000;
const REFUSAL_SCAN = 5000;

/**
 * Blast radius: everything a principal (or one of its keys) signed or received since time T, the
 * chains involved, the tree of everything downstream under authority that passed through it, and
 * the submissions it signed that were refused at ingest.
 */
export async function principalActivity(
  principal: string,
  since: number,
  now = nowSeconds(),
  kid: string | null = null,
): Promise<TPrincipalInvestigation> {
  const s = await stores();
  const store = s.insights;
  const rows = (await store.eventsOfPrincipal(principal, since, INVESTIGATION_LIMIT + 1)).filter(
    (e) => kid === null || (e.iss === principal && e.kid === kid),
  );
  const events = rows.slice(0, INVESTIGATION_LIMIT);
  const chainIds = [...new Set(events.map((e) => e.chainId))];
  const [chains, inputs] = await Promise.all([store.chainRows(chainIds), loadChainInputs(s.chains, chainIds)]);
  const kidOf = new Map(events.map((e) => [e.jti, e.kid]));
  const all: TBlastEvent[] = [...inputs.values()].flatMap((c) =>
    c.events.map((e) => ({ jti: e.jti, chainId: c.chainId, claims: e.claims, kid: kidOf.get(e.jti) ?? null })),
  );
  const findings = await findingsFor(all.map((e) => e.jti));
  const tree = blastTree(all, principal, { kid, since, findings, limit: TREE_LIMIT });
  const refused = await refusedOf(principal, kid, since);
  return {
    events: events.map(({ kid: _kid, ...e }) => ({ ...e, kind: e.kind as TEventKind, findings: findings.get(e.jti) ?? [] })),
    chains: await nameChains(chains.map((c) => toChainSummary(c, now))),
    truncated: rows.length > INVESTIGATION_LIMIT,
    kid,
    tree: { roots: tree.roots, direct: tree.direct, downstream: tree.downstream, truncated: tree.truncated },
    refused: refused.items,
    refusedScanLimitReached: refused.limitReached,
  };
}

/** The principal's (or key's) refused submissions since T, newest first, read from their unverified header and payload. */
async function refusedOf(principal: string, kid: string | null, since: number) {
  const q = (await stores()).quarantine;
  const items: TBlastRefusal[] = [];
  let scanned = 0;
  for (let before: number | undefined; scanned < REFUSAL_SCAN;) {
    const page = await q.list({ before, take: 500 });
    if (page.length === 0) return { items, limitReached: false };
    for (const r of page) {
      if (r.receivedAt.getTime() / 1000 < since) return { items, limitReached: false };
      scanned++;
      const signed = peekSigner(r.raw);
      if (!signed || signed.iss !== principal || (kid !== null && signed.kid !== kid)) continue;
      items.push({
        id: r.id,
        receivedAt: r.receivedAt.toISOString(),
        jti: r.jti,
        chainId: signed.chain,
        kid: signed.kid,
        code: r.code,
        message: r.message,
      });
    }
    before = page[page.length - 1].id;
  }
  return { items, limitReached: true };
}

/** Who a refused JWS says signed it: never trusted, only matched against the principal asked about. */
function peekSigner(raw: string): { iss: string; kid: string | null; chain: string | null } | null {
  try {
    const header = decodeProtectedHeader(raw);
    const payload = decodeJwt(raw);
    if (typeof payload.iss !== "string") return null;
    return {
      iss: payload.iss,
      kid: typeof header.kid === "string" ? header.kid : null,
      chain: typeof payload.chain === "string" ? payload.chain : null,
    };
  } catch {
    return null;
  }
}
