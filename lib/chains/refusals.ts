// Refused submissions that name a chain: what the chain's page shows so a refused event (a late
// token signed with a revoked key, a forged signature) is not only on the Quarantine page. The
// chain is read from each submission's unverified payload; raw bytes stay in the quarantine.
import { stores } from "@/lib/db";
import type { TChainRefusals } from "@/lib/contracts/chains";

export const REFUSALS_SHOWN = 50;

export async function refusalsOfChain(chainId: string): Promise<TChainRefusals> {
  const q = (await stores()).quarantine;
  const [rows, total] = await Promise.all([q.ofChain(chainId, REFUSALS_SHOWN), q.countOfChain(chainId)]);
  return {
    items: rows.map((r) => ({ id: r.id, receivedAt: r.receivedAt.toISOString(), jti: r.jti, code: r.code, message: r.message })),
    total,
  };
}
