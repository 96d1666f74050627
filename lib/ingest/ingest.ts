// Accept a batch of event tokens: verify each (spec §4), store what passes in one transaction,
// append it to the ledger (§7), re-check every chain the batch touches (§5) and quarantine the rest.
//
// Batch-shaped on purpose: signatures are verified before the transaction (CPU, parallel across
// instances); inside it, each step is one query for the whole batch, never one per event per check.
import { db, isPostgres, type TTx } from "@/lib/db";
import { checkEnvelope, classifyReplay } from "@/lib/protocol/envelope";
import { checkChain } from "@/lib/protocol/chain";
import { ledgerHash } from "@/lib/protocol/ledger";
import type { TClaims, TFinding, TRegistryPrincipal, TRejectCode } from "@/lib/protocol/types";
import { loadChainInputs } from "@/lib/chains/load";
import { storableRaw, storableText } from "@/lib/text";
import { summariseChain } from "@/lib/ingest/summary";
import { loadRegistry } from "@/lib/ingest/registry";

export const MAX_BATCH = 1000;
const PRINCIPAL_ID = /^[\x20-\x7e]{1,200}$/;

export type TIngestResult = {
  jti: string | null;
  status: "accepted" | "duplicate" | "pending" | "rejected";
  chain?: string;
  findings: Pick<TFinding, "code" | "severity" | "message">[];
  error?: { code: TRejectCode; message: string };
};

type TCandidate =
  | { index: number; kind: "rejected"; rawEntry: unknown; jti: string | null; code: TRejectCode; message: string }
  | { index: number; kind: "verified"; raw: string; claims: TClaims; alg: string; kid: string };

/** Reads `iss` without validating anything, so the registry can be loaded once for the batch. */
function peekIssuer(token: string): string | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const iss = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"))?.iss;
    // Only a well-formed principal id can name a registered principal; anything else is left to
    // the verifier to reject as malformed.
    return typeof iss === "string" && PRINCIPAL_ID.test(iss) ? iss : null;
  } catch {
    return null;
  }
}

function verifyAll(entries: unknown[], registry: Map<string, TRegistryPrincipal>, now: number): TCandidate[] {
  return entries.map((entry, index): TCandidate => {
    if (typeof entry !== "string") {
      return { index, kind: "rejected", rawEntry: entry, jti: null, code: "malformed", message: "Each entry of events must be a compact JWS string." };
    }
    const result = checkEnvelope(entry, { now, principals: (iss) => registry.get(iss) });
    if (!result.ok) return { index, kind: "rejected", rawEntry: entry, jti: result.jti, code: result.code, message: result.message };
    return { index, kind: "verified", raw: entry, claims: result.claims, alg: result.header.alg, kid: result.header.kid };
  });
}

function refOf(c: TClaims): string | null {
  switch (c.kind) {
    case "delegate":
      return c.parent;
    case "invoke":
      return c.grant ?? null;
    case "complete":
      return c.grant;
    case "revoke":
      return c.target;
    default:
      return null;
  }
}

async function lockLedgerHead(tx: TTx): Promise<{ seq: number; hash: string }> {
  // On PostgreSQL the row lock serialises every ingest transaction across app instances, so the
  // ledger stays gapless and a child and its parent landing on two instances are checked together.
  // SQLite has one writer at a time already.
  const rows = isPostgres()
    ? await tx.$queryRawUnsafe<{ seq: number; hash: string }[]>(`SELECT "seq", "hash" FROM "LedgerHead" WHERE "id" = 1 FOR UPDATE`)
    : await tx.$queryRawUnsafe<{ seq: number; hash: string }[]>(`SELECT "seq", "hash" FROM "LedgerHead" WHERE "id" = 1`);
  if (!rows[0]) throw new Error("ledger head row missing: migrations not applied");
  return { seq: Number(rows[0].seq), hash: rows[0].hash };
}

/** Re-checks whole chains and rewrites their findings, statuses, summaries and index rows. */
async function recheckChains(tx: TTx, chainIds: string[]): Promise<void> {
  if (chainIds.length === 0) return;
  const inputs = await loadChainInputs(tx, chainIds);
  const nowDate = new Date();
  const toPending: string[] = [];
  const toAccepted: string[] = [];
  const summaries: ReturnType<typeof summariseChain>[] = [];
  for (const input of inputs.values()) {
    const analysis = checkChain(input);
    for (const e of input.events) {
      const status = analysis.events.get(e.jti)?.status ?? "accepted";
      if (status !== e.status) (status === "pending" ? toPending : toAccepted).push(e.jti);
    }
    summaries.push(summariseChain(input.chainId, input.events, analysis));
  }

  await tx.finding.deleteMany({ where: { chainId: { in: chainIds } } });
  await tx.chainScope.deleteMany({ where: { chainId: { in: chainIds } } });
  await tx.chainPrincipal.deleteMany({ where: { chainId: { in: chainIds } } });
  await tx.chainPurpose.deleteMany({ where: { chainId: { in: chainIds } } });
  for (const s of summaries) {
    await tx.chain.upsert({
      where: { id: s.row.id },
      create: { ...s.row, lastEventAt: nowDate },
      update: { ...s.row, lastEventAt: nowDate },
    });
  }
  const findingRows = summaries.flatMap((s) =>
    s.findings.map((f) => ({ chainId: s.row.id, eventJti: f.eventJti, code: f.code, severity: f.severity, message: f.message })),
  );
  if (findingRows.length) await tx.finding.createMany({ data: findingRows });
  const scopeRows = summaries.flatMap((s) => s.scopes.map((scope) => ({ chainId: s.row.id, scope })));
  if (scopeRows.length) await tx.chainScope.createMany({ data: scopeRows });
  const principalRowsOut = summaries.flatMap((s) => s.principals.map((principalId) => ({ chainId: s.row.id, principalId })));
  if (principalRowsOut.length) await tx.chainPrincipal.createMany({ data: principalRowsOut });
  const purposeRows = summaries.flatMap((s) => s.purposes.map((purposeCode) => ({ chainId: s.row.id, purposeCode })));
  if (purposeRows.length) await tx.chainPurpose.createMany({ data: purposeRows });
  if (toPending.length) await tx.event.updateMany({ where: { jti: { in: toPending } }, data: { status: "pending" } });
  if (toAccepted.length) await tx.event.updateMany({ where: { jti: { in: toAccepted } }, data: { status: "accepted" } });
}

export async function ingestBatch(entries: unknown[], options: { now?: number } = {}): Promise<TIngestResult[]> {
  const now = options.now ?? Date.now() / 1000;
  const issuers = new Set<string>();
  for (const e of entries) if (typeof e === "string") issuers.add(peekIssuer(e) ?? "");
  issuers.delete("");
  const registry = await loadRegistry([...issuers]);
  const candidates = verifyAll(entries, registry, now);

  const prisma = await db();
  return prisma.$transaction(
    async (tx) => {
      const head = await lockLedgerHead(tx);
      const verified = candidates.filter((c) => c.kind === "verified");
      const jtis = [...new Set(verified.map((c) => c.claims.jti))];
      const existing = jtis.length
        ? await tx.event.findMany({ where: { jti: { in: jtis } }, select: { jti: true, token: true, chainId: true } })
        : [];
      const stored = new Map(existing.map((e) => [e.jti, { token: e.token, chain: e.chainId }]));

      const results: TIngestResult[] = new Array(entries.length);
      const rejected: Extract<TCandidate, { kind: "rejected" }>[] = candidates.filter((c) => c.kind === "rejected");
      const fresh: { index: number; claims: TClaims; raw: string; alg: string; kid: string; seq: number; prevHash: string; hash: string }[] = [];
      const duplicates: { index: number; jti: string; chain: string }[] = [];
      let { seq, hash } = head;
      for (const c of verified) {
        const prior = stored.get(c.claims.jti);
        const verdict = classifyReplay(c.raw, prior?.token);
        if (verdict === "duplicate") {
          duplicates.push({ index: c.index, jti: c.claims.jti, chain: prior!.chain });
        } else if (verdict === "replay") {
          rejected.push({
            index: c.index,
            kind: "rejected",
            rawEntry: c.raw,
            jti: c.claims.jti,
            code: "replay",
            message: `jti ${c.claims.jti} was already used by a different token.`,
          });
        } else {
          const prevHash = hash;
          hash = ledgerHash(prevHash, c.raw);
          seq += 1;
          fresh.push({ index: c.index, claims: c.claims, raw: c.raw, alg: c.alg, kid: c.kid, seq, prevHash, hash });
          stored.set(c.claims.jti, { token: c.raw, chain: c.claims.chain });
        }
      }

      if (fresh.length) {
        await tx.event.createMany({
          data: fresh.map((f) => ({
            seq: f.seq,
            jti: f.claims.jti,
            chainId: f.claims.chain,
            kind: f.claims.kind,
            iss: f.claims.iss,
            aud: "aud" in f.claims ? f.claims.aud : null,
            ref: refOf(f.claims),
            iat: f.claims.iat,
            exp: "exp" in f.claims ? f.claims.exp : null,
            status: "accepted",
            alg: f.alg,
            kid: f.kid,
            token: f.raw,
            claims: JSON.stringify(f.claims),
            purposeCode:
              f.claims.kind === "authorize" || f.claims.kind === "delegate"
                ? f.claims.purpose.code
                : f.claims.kind === "invoke"
                  ? (f.claims.purpose ?? null)
                  : null,
            prevHash: f.prevHash,
            hash: f.hash,
          })),
        });
        const freshJtis = fresh.map((f) => f.claims.jti);
        const dependants = await tx.event.findMany({
          where: { ref: { in: freshJtis } },
          select: { chainId: true },
          distinct: ["chainId"],
        });
        const affected = new Set([...fresh.map((f) => f.claims.chain), ...dependants.map((d) => d.chainId)]);
        await recheckChains(tx, [...affected]);
        await tx.ledgerHead.update({ where: { id: 1 }, data: { seq, hash } });
      }

      if (rejected.length) {
        await tx.quarantine.createMany({
          data: rejected.map((r) => ({
            jti: r.jti === null ? null : storableText(r.jti),
            code: r.code,
            message: storableText(r.message),
            raw: storableRaw(r.rawEntry),
          })),
        });
      }

      const reportJtis = [...fresh.map((f) => f.claims.jti), ...duplicates.map((d) => d.jti)];
      const [findingRows, statusRows] = reportJtis.length
        ? await Promise.all([
            tx.finding.findMany({
              where: { eventJti: { in: reportJtis } },
              select: { eventJti: true, code: true, severity: true, message: true },
              orderBy: { id: "asc" },
            }),
            tx.event.findMany({ where: { jti: { in: reportJtis } }, select: { jti: true, status: true } }),
          ])
        : [[], []];
      const findingsOf = new Map<string, TIngestResult["findings"]>();
      for (const f of findingRows) {
        const list = findingsOf.get(f.eventJti) ?? [];
        list.push({ code: f.code as TFinding["code"], severity: f.severity as TFinding["severity"], message: f.message });
        findingsOf.set(f.eventJti, list);
      }
      const statusOf = new Map(statusRows.map((r) => [r.jti, r.status]));

      for (const f of fresh) {
        const jti = f.claims.jti;
        results[f.index] = {
          jti,
          status: statusOf.get(jti) === "pending" ? "pending" : "accepted",
          chain: f.claims.chain,
          findings: findingsOf.get(jti) ?? [],
        };
      }
      for (const d of duplicates) {
        results[d.index] = { jti: d.jti, status: "duplicate", chain: d.chain, findings: findingsOf.get(d.jti) ?? [] };
      }
      for (const r of rejected) {
        results[r.index] = { jti: r.jti, status: "rejected", findings: [], error: { code: r.code, message: r.message } };
      }
      return results;
    },
    { timeout: 120_000, maxWait: 60_000 },
  );
}
