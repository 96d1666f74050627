// Global search. An exact chain id opens the chain; an exact event jti opens its chain at that hop
// (`/chains/{id}?hop={jti}`). Otherwise suggestions, at most SEARCH_PER_GROUP per group: chains the
// list's own search matches, principals by id or name, and events and resources from the invokes
// whose claims mention the text.
import { stores } from "@/lib/db";
import { listChains, nowSeconds } from "@/lib/chains/queries";
import { listPrincipals } from "@/lib/principals/queries";
import type { TSearchAnswer, TSearchHit } from "@/lib/contracts/search";
import type { TClaims } from "@/lib/protocol/types";

export const SEARCH_PER_GROUP = 5;
// Invokes read to find event and resource suggestions; each is parsed, so keep it small.
const INVOKES_READ = 100;

const chainPath = (id: string, hop?: string) => `/chains/${encodeURIComponent(id)}${hop ? `?hop=${encodeURIComponent(hop)}` : ""}`;

/** `canInvestigate`: resource suggestions open "who touched it" (investigators); otherwise the chains that mention it. */
export async function search(q: string, options: { canInvestigate?: boolean; now?: number } = {}): Promise<TSearchAnswer> {
  const now = options.now ?? nowSeconds();
  const s = await stores();
  const empty = { chains: [], events: [], principals: [], resources: [] };
  const [chain] = await s.insights.chainRows([q]);
  if (chain) return { q, exact: { kind: "chain", href: chainPath(chain.id) }, groups: empty };
  const [event] = await s.insights.eventBriefs([q]);
  if (event) return { q, exact: { kind: "event", href: chainPath(event.chainId, event.jti) }, groups: empty };

  const [chains, principals, invokes] = await Promise.all([
    listChains({ q, limit: SEARCH_PER_GROUP }, now),
    listPrincipals({ q, limit: SEARCH_PER_GROUP }),
    s.insights.invokesMentioning(q, INVOKES_READ),
  ]);
  const needle = q.toLowerCase();
  const events: TSearchHit[] = [];
  const resources = new Map<string, TSearchHit>();
  for (const r of invokes) {
    const c = JSON.parse(r.claims) as TClaims;
    if (c.kind !== "invoke") continue;
    if (events.length < SEARCH_PER_GROUP && r.jti.toLowerCase().includes(needle)) {
      events.push({ label: r.jti, detail: `invoke ${c.action} by ${r.iss}`, href: chainPath(r.chainId, r.jti) });
    }
    if (resources.size < SEARCH_PER_GROUP && !resources.has(c.resource) && c.resource.toLowerCase().includes(needle)) {
      resources.set(
        c.resource,
        options.canInvestigate
          ? { label: c.resource, detail: "who touched it", href: `/investigate?resource=${encodeURIComponent(c.resource)}` }
          : { label: c.resource, detail: "chains that mention it", href: `/chains?q=${encodeURIComponent(c.resource)}` },
      );
    }
  }
  return {
    q,
    exact: null,
    groups: {
      chains: chains.items.map((c) => ({
        label: c.purposeCode ?? c.id,
        detail: `${c.rootIss ?? "no human root"} · ${c.hopCount} hops · ${c.status}`,
        href: chainPath(c.id),
      })),
      events,
      principals: principals.items.map((p) => ({
        label: p.id,
        detail: p.name ? `${p.name} · ${p.kind}` : p.kind,
        href: `/principals/${encodeURIComponent(p.id)}`,
      })),
      resources: [...resources.values()],
    },
  };
}
