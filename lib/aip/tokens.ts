// POST /api/v1/aip/tokens (shared/spec/aip-import.md §2, §4–§6): each token judged by the pure core
// (lib/protocol/aip), then its events stored through the same batch steps as DEP events
// (lib/ingest/steps.ts): one ledger, one chain re-check, one quarantine. A chained token's blocks
// are events whose ids come from their signatures, so a block already stored is a duplicate whatever
// token carried it, and an extended token adds only its new blocks to the chain.
import { stores } from "@/lib/db";
import { ingestSteps, type TCandidate } from "@/lib/ingest/steps";
import { checkpointAfterIngest } from "@/lib/ledger/checkpoints";
import { enforceQuarantineQuota } from "@/lib/ingest/quarantine";
import {
  aipIdentityOf,
  aipInvalid,
  aipTokenId,
  importAipToken,
  type TAipClaims,
  type TAipIdentity,
  type TAipImport,
  type TAipTokenResult,
} from "@/lib/protocol/aip";
import type { TClaims, TFinding } from "@/lib/protocol/types";
import { presentationRecord, presentedInvoke, type TPresentedCall } from "@/lib/protocol/aip";

/** The `alg` of a presented call's invoke: the signature behind it is the AIP token's (docs/observed.md). */
export const PRESENTED_ALG = "aip-presented";
import { keyInput, toAipIdentity } from "./identities";

type TEntry = { token: string; tool?: string; audience?: string } | { invalid: string };

/** An entry of {"tokens": [...]}: a token string, or {token, tool?, audience?}. */
function readEntry(e: unknown): TEntry {
  if (typeof e === "string") return { token: e.trim() };
  if (e !== null && typeof e === "object" && !Array.isArray(e)) {
    const { token, tool, audience } = e as Record<string, unknown>;
    if (typeof token !== "string") return { invalid: 'an entry object needs a "token" string' };
    if (tool !== undefined && typeof tool !== "string") return { invalid: '"tool" must be a string' };
    if (audience !== undefined && typeof audience !== "string") return { invalid: '"audience" must be a string' };
    return { token: token.trim(), tool: tool, audience: audience };
  }
  return { invalid: 'each entry of tokens must be a token string or {"token", "tool"?, "audience"?}' };
}

/** The signature facts an event row carries: compact tokens and block 0 name the key that verified. */
function signatureOf(claims: TAipClaims): { alg: string; kid: string } {
  const by = claims.aip.verifiedBy;
  const kid = by === null ? "ephemeral" : by.slice(by.lastIndexOf("#") + 1);
  return { alg: claims.aip.mode === "compact" ? "EdDSA" : "biscuit-ed25519", kid };
}

export async function importAipTokens(entries: unknown[], options: { now?: number; source?: string | null } = {}): Promise<TAipTokenResult[]> {
  return (await importAipTokensWith(entries, options)).results;
}

/** What became of a presented call (see importAipTokensWith): its invoke and that invoke's verdict. */
export type TPresentedResult = { jti: string; chain: string; status: "accepted" | "pending" | "duplicate" | "rejected"; findings: TFinding[] };

/**
 * importAipTokens, and for each entry that comes with a presented call (`presentations[i]`, an AIP
 * token seen on an MCP or A2A call: lib/observations/captures.ts), the invoke that call becomes when
 * the token is accepted, stored in the same batch after the token's events (one ledger write).
 */
export async function importAipTokensWith(
  entries: unknown[],
  options: { now?: number; source?: string | null; presentations?: readonly (TPresentedCall | null)[] } = {},
): Promise<{ results: TAipTokenResult[]; presented: (TPresentedResult | null)[] }> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const source = options.source ?? null;
  const s = await stores();
  const read = entries.map(readEntry);

  // The batch's identities, read once; aip:key identities met for the first time join as they come.
  const ids = new Set<string>();
  for (const e of read) if ("token" in e) ids.add(aipIdentityOf(e.token) ?? "");
  ids.delete("");
  const known = new Map<string, TAipIdentity>((await s.aip.identities([...ids])).map((r) => [r.id, toAipIdentity(r)]));
  const created = new Map<string, TAipIdentity>();

  const imported: (TAipImport | { invalid: string })[] = [];
  for (const e of read) {
    if ("invalid" in e) {
      imported.push(e);
      continue;
    }
    // isStored is answered by the batch steps, under the ledger lock: here every event is "new".
    const r = await importAipToken(
      e.token,
      { tool: e.tool, audience: e.audience },
      { now, resolveIdentity: (id) => known.get(id), isStored: () => false },
    );
    if (r.newIdentity && r.result.status !== "rejected") {
      known.set(r.newIdentity.id, r.newIdentity);
      created.set(r.newIdentity.id, r.newIdentity);
    }
    imported.push(r);
  }
  if (created.size) await s.aip.ensureKeyIdentities([...created.values()].map((i) => ({ id: i.id, kind: i.kind, key: keyInput(i.keys[0]) })));

  // One candidate per event of each accepted token, one per rejected entry (kept in the quarantine).
  const candidates: TCandidate[] = [];
  const slots: number[][] = [];
  const presentedSlots: (number | null)[] = [];
  for (const [i, r] of imported.entries()) {
    const mine: number[] = [];
    if ("invalid" in r) {
      mine.push(candidates.length);
      candidates.push({ index: candidates.length, kind: "rejected", rawEntry: entries[i], jti: null, code: "malformed", message: r.invalid });
    } else if (r.result.status === "rejected") {
      mine.push(candidates.length);
      const error = r.result.error ?? { code: "malformed" as const, message: "rejected" };
      candidates.push({ index: candidates.length, kind: "rejected", rawEntry: entries[i], jti: null, code: error.code, message: error.message });
    } else {
      for (const ev of r.store) {
        const claims: TAipClaims = { ...ev.claims, aip: { ...ev.claims.aip, reference: r.result.aip } };
        mine.push(candidates.length);
        candidates.push({
          index: candidates.length,
          kind: "verified",
          raw: ev.token,
          // The stored claims are AIP's (an `aip` member, opaque scopes): every reader dispatches on it
          // (lib/protocol/any-chain.ts), never judging them by DEP rules.
          claims: claims as unknown as TClaims,
          ...signatureOf(claims),
          keyRevokedAt: null,
          aip: true,
        });
      }
    }
    slots.push(mine);
    // The presented call: an invoke by the final delegate under the token's last grant. Every event
    // of the token is in r.store here (isStored answers false), so the last grant is known.
    const call = options.presentations?.[i] ?? null;
    const entry = read[i];
    const invoke =
      call && !("invalid" in r) && r.result.status !== "rejected" && "token" in entry
        ? {
            token: entry.token,
            claims: presentedInvoke(
              { token: entry.token, call },
              r.store.map((e) => e.claims),
            ),
            store: r.store,
          }
        : null;
    if (call && invoke?.claims) {
      const claims = invoke.claims;
      const grant = invoke.store.find((e) => e.jti === claims.grant)!.claims;
      presentedSlots.push(candidates.length);
      candidates.push({
        index: candidates.length,
        kind: "verified",
        raw: presentationRecord({ token: invoke.token, call }),
        claims,
        alg: PRESENTED_ALG,
        kid: signatureOf(grant).kid,
        keyRevokedAt: null,
        // its id is its record's digest: a re-sent capture is a duplicate
        aip: true,
      });
    } else presentedSlots.push(null);
  }

  const stepResults = candidates.length ? await s.ingest.run(ingestSteps(candidates, new Date(now * 1000), source)) : [];
  await checkpointAfterIngest(stepResults.reduce((n, r) => (r.status === "accepted" || r.status === "pending" ? n + 1 : n), 0));
  if (source !== null && stepResults.some((r) => r.status === "rejected")) await enforceQuarantineQuota(source);

  const presented = presentedSlots.map((k): TPresentedResult | null => {
    if (k === null) return null;
    const c = candidates[k] as Extract<TCandidate, { kind: "verified" }>;
    const x = stepResults[k];
    return { jti: c.claims.jti, chain: c.claims.chain, status: x.status, findings: x.findings };
  });
  const results = imported.map((r, i): TAipTokenResult => {
    if ("invalid" in r)
      return {
        id: aipTokenId(typeof entries[i] === "string" ? entries[i] : (JSON.stringify(entries[i]) ?? "")),
        mode: "chained",
        status: "rejected",
        events: [],
        findings: [],
        error: { code: "malformed", message: r.invalid },
        aip: aipInvalid("BiscuitValidationError", r.invalid),
      };
    if (r.result.status === "rejected") return r.result;
    const mine = slots[i].map((k) => stepResults[k]);
    const findings: TFinding[] = mine.flatMap((x) => x.findings as TFinding[]);
    const fresh = mine.some((x) => x.status === "accepted" || x.status === "pending");
    return { ...r.result, status: fresh ? "accepted" : "duplicate", findings };
  });
  return { results, presented };
}
