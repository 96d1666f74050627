// The inside of one ingest transaction, written once for both databases.
//
// The steps are a generator that asks a store for what it needs to read (`yield* ask(...)`) and
// ends with one write plan. SQLite runs it synchronously on its own connection, so nothing else in
// the process can run between BEGIN and COMMIT (store-sqlite.ts); PostgreSQL runs the same steps
// with awaits inside a Prisma transaction (store-prisma.ts). Reads happen before writes: the batch's
// new events are checked from memory together with what the chains already hold, never re-read.
import type { TClaims, TFinding, TRejectCode } from "@/lib/protocol/types";
import { checkChain } from "@/lib/protocol/chain";
import { classifyReplay } from "@/lib/protocol/envelope";
import { ledgerHash } from "@/lib/protocol/ledger";
import {
  chainInputsFrom,
  missingRefs,
  parseEventRows,
  principalIdsOf,
  type TExternalRow,
  type TParsedEventRow,
  type TPrincipalKindRow,
  type TStoredEventRow,
} from "@/lib/chains/load";
import { summariseChain, type TChainSummaryRow } from "@/lib/ingest/summary";
import { storableRaw, storableText } from "@/lib/text";

export type TIngestResult = {
  jti: string | null;
  status: "accepted" | "duplicate" | "pending" | "rejected";
  chain?: string;
  findings: Pick<TFinding, "code" | "severity" | "message">[];
  error?: { code: TRejectCode; message: string };
};

export type TCandidate =
  | { index: number; kind: "rejected"; rawEntry: unknown; jti: string | null; code: TRejectCode; message: string }
  | { index: number; kind: "verified"; raw: string; claims: TClaims; alg: string; kid: string; keyRevokedAt: number | null };

type TRejected = Extract<TCandidate, { kind: "rejected" }>;

export type TEventInsert = {
  seq: number;
  jti: string;
  chainId: string;
  kind: string;
  iss: string;
  aud: string | null;
  ref: string | null;
  iat: number;
  exp: number | null;
  status: "accepted" | "pending";
  alg: string;
  kid: string;
  token: string;
  claims: string;
  purposeCode: string | null;
  prevHash: string;
  hash: string;
  /** the signing key's revokedAt in the registry at receipt (late_after_revocation) */
  keyRevokedAt: number | null;
};

/**
 * The columns of an event row in table order (all but receivedAt), with their PostgreSQL types;
 * both ingest stores write them from this list (a field added to TEventInsert must be added here).
 */
export const EVENT_INSERT_COLUMNS: { [K in keyof TEventInsert]: "text" | "integer" | "double precision" } = {
  seq: "integer",
  jti: "text",
  chainId: "text",
  kind: "text",
  iss: "text",
  aud: "text",
  ref: "text",
  iat: "double precision",
  exp: "double precision",
  status: "text",
  alg: "text",
  kid: "text",
  token: "text",
  claims: "text",
  purposeCode: "text",
  prevHash: "text",
  hash: "text",
  keyRevokedAt: "double precision",
};

export type TFindingInsert = { chainId: string; eventJti: string; code: string; severity: string; message: string };

/** Everything one batch writes, in the order a store must write it (chains before their rows). */
export type TWritePlan = {
  /** the server's clock for receivedAt, lastEventAt and createdAt */
  at: Date;
  events: TEventInsert[];
  /** chain summaries to insert or overwrite (createdAt only on insert) */
  chains: TChainSummaryRow[];
  /** chains whose findings are replaced by `findings` */
  recheckedChains: string[];
  findings: TFindingInsert[];
  /** index rows only ever grow with a chain's events: insert, keeping rows already there */
  scopes: { chainId: string; scope: string }[];
  principals: { chainId: string; principalId: string }[];
  purposes: { chainId: string; purposeCode: string }[];
  /** stored events whose status the re-check changed */
  toPending: string[];
  toAccepted: string[];
  head: { seq: number; hash: string } | null;
  quarantine: { jti: string | null; code: string; message: string; raw: string }[];
};

export type TFindingRow = { id: number; eventJti: string; code: string; severity: string; message: string };

/** What the steps read. Every list argument is non-empty and has no duplicates. */
export type TIngestStore = {
  /** the ledger head, locked until the transaction ends where the database needs a lock */
  lockHead(): { seq: number; hash: string };
  storedTokens(jtis: string[]): { jti: string; token: string; chainId: string }[];
  /** chains holding events that reference any of `jtis` */
  dependantChains(jtis: string[]): string[];
  /** every stored event of these chains, in ledger order */
  chainEvents(chainIds: string[]): TStoredEventRow[];
  eventKinds(jtis: string[]): TExternalRow[];
  principalKinds(ids: string[]): TPrincipalKindRow[];
  /** stored findings of these events, in insertion (id) order */
  findingsOf(jtis: string[]): TFindingRow[];
  write(plan: TWritePlan): void;
};

type TOp = { [K in keyof TIngestStore]: { op: K; args: Parameters<TIngestStore[K]> } }[keyof TIngestStore];
export type TSteps<T> = Generator<TOp, T, unknown>;

function* ask<K extends keyof TIngestStore>(op: K, ...args: Parameters<TIngestStore[K]>): TSteps<ReturnType<TIngestStore[K]>> {
  return (yield { op, args } as TOp) as ReturnType<TIngestStore[K]>;
}

export function runSync<T>(steps: TSteps<T>, store: TIngestStore): T {
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    const { op, args } = step.value;
    step = steps.next((store[op] as (...a: unknown[]) => unknown)(...args));
  }
}

export type TAsyncIngestStore = { [K in keyof TIngestStore]: (...args: Parameters<TIngestStore[K]>) => Promise<ReturnType<TIngestStore[K]>> };

export async function runAsync<T>(steps: TSteps<T>, store: TAsyncIngestStore): Promise<T> {
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value;
    const { op, args } = step.value;
    step = steps.next(await (store[op] as (...a: unknown[]) => Promise<unknown>)(...args));
  }
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

type TFresh = { index: number; claims: TClaims; raw: string; alg: string; kid: string; keyRevokedAt: number | null; seq: number; prevHash: string; hash: string };

type TRecheck = {
  statusOf: Map<string, "accepted" | "pending">;
  findingsOf: Map<string, TIngestResult["findings"]>;
  plan: Pick<TWritePlan, "chains" | "recheckedChains" | "findings" | "scopes" | "principals" | "purposes" | "toPending" | "toAccepted">;
};

/** Re-checks whole chains (stored events plus the batch's) and says what to rewrite. */
function recheck(chainIds: string[], events: TParsedEventRow[], externalRows: TExternalRow[], principalRows: TPrincipalKindRow[]): TRecheck {
  const inputs = chainInputsFrom(chainIds, events, externalRows, principalRows);
  const statusOf = new Map<string, "accepted" | "pending">();
  const findingsOf = new Map<string, TIngestResult["findings"]>();
  const plan: TRecheck["plan"] = { chains: [], recheckedChains: chainIds, findings: [], scopes: [], principals: [], purposes: [], toPending: [], toAccepted: [] };
  for (const input of inputs.values()) {
    const analysis = checkChain(input);
    for (const e of input.events) {
      const status = analysis.events.get(e.jti)?.status ?? "accepted";
      statusOf.set(e.jti, status);
      if (status !== e.status) (status === "pending" ? plan.toPending : plan.toAccepted).push(e.jti);
    }
    const s = summariseChain(input.chainId, input.events, analysis);
    const id = s.row.id;
    plan.chains.push(s.row);
    for (const f of s.findings) {
      plan.findings.push({ chainId: id, eventJti: f.eventJti, code: f.code, severity: f.severity, message: f.message });
      const list = findingsOf.get(f.eventJti) ?? [];
      list.push({ code: f.code, severity: f.severity, message: f.message });
      findingsOf.set(f.eventJti, list);
    }
    for (const scope of s.scopes) plan.scopes.push({ chainId: id, scope });
    for (const principalId of s.principals) plan.principals.push({ chainId: id, principalId });
    for (const purposeCode of s.purposes) plan.purposes.push({ chainId: id, purposeCode });
  }
  return { statusOf, findingsOf, plan };
}

function eventInsert(f: TFresh, status: "accepted" | "pending"): TEventInsert {
  const c = f.claims;
  return {
    seq: f.seq,
    jti: c.jti,
    chainId: c.chain,
    kind: c.kind,
    iss: c.iss,
    aud: "aud" in c ? c.aud : null,
    ref: refOf(c),
    iat: c.iat,
    exp: "exp" in c ? c.exp : null,
    status,
    alg: f.alg,
    kid: f.kid,
    token: f.raw,
    claims: JSON.stringify(c),
    purposeCode: c.kind === "authorize" || c.kind === "delegate" ? c.purpose.code : c.kind === "invoke" ? (c.purpose ?? null) : null,
    prevHash: f.prevHash,
    hash: f.hash,
    keyRevokedAt: f.keyRevokedAt,
  };
}

/**
 * One batch inside its transaction: replay classification against the store (§4 last step), ledger
 * positions and hashes (§7), re-check of every chain the new events touch or complete (§5), and
 * one result per entry, in order. Results carry exactly what the write plan stores.
 */
export function* ingestSteps(candidates: TCandidate[], at: Date): TSteps<TIngestResult[]> {
  const head = yield* ask("lockHead");
  const verified = candidates.filter((c) => c.kind === "verified");
  const jtis = [...new Set(verified.map((c) => c.claims.jti))];
  const existing = jtis.length ? yield* ask("storedTokens", jtis) : [];
  const stored = new Map(existing.map((e) => [e.jti, { token: e.token, chain: e.chainId }]));

  const rejected: TRejected[] = candidates.filter((c) => c.kind === "rejected");
  const fresh: TFresh[] = [];
  const duplicates: { index: number; jti: string; chain: string }[] = [];
  let { seq, hash } = head;
  for (const c of verified) {
    const prior = stored.get(c.claims.jti);
    const verdict = classifyReplay(c.raw, prior?.token);
    if (verdict === "duplicate") {
      duplicates.push({ index: c.index, jti: c.claims.jti, chain: prior!.chain });
    } else if (verdict === "replay") {
      rejected.push({ index: c.index, kind: "rejected", rawEntry: c.raw, jti: c.claims.jti, code: "replay", message: `jti ${c.claims.jti} was already used by a different token.` });
    } else {
      const prevHash = hash;
      hash = ledgerHash(prevHash, c.raw);
      seq += 1;
      fresh.push({ index: c.index, claims: c.claims, raw: c.raw, alg: c.alg, kid: c.kid, keyRevokedAt: c.keyRevokedAt, seq, prevHash, hash });
      stored.set(c.claims.jti, { token: c.raw, chain: c.claims.chain });
    }
  }

  let checked: TRecheck | null = null;
  if (fresh.length) {
    // Chains that gain events, and chains whose events point at a new event (an orphan's parent
    // arriving): both are re-checked whole. Looked up before the insert: a new event pointing at
    // another new one is in a chain that gains events anyway.
    const dependants = yield* ask("dependantChains", fresh.map((f) => f.claims.jti));
    const affected = [...new Set([...fresh.map((f) => f.claims.chain), ...dependants])];
    const events = parseEventRows(yield* ask("chainEvents", affected));
    const receivedAt = at.getTime() / 1000;
    for (const f of fresh)
      events.push({ seq: f.seq, jti: f.claims.jti, chainId: f.claims.chain, claims: f.claims, status: "accepted", ref: refOf(f.claims), keyRevokedAt: f.keyRevokedAt, receivedAt: f.keyRevokedAt === null ? null : receivedAt });
    const refs = missingRefs(events);
    const principalIds = principalIdsOf(events);
    const externalRows = refs.length ? yield* ask("eventKinds", refs) : [];
    const principalRows = principalIds.length ? yield* ask("principalKinds", principalIds) : [];
    checked = recheck(affected, events, externalRows, principalRows);
  }

  // Duplicates of events in chains this batch did not re-check report their stored findings.
  const rechecked = new Set(checked?.plan.recheckedChains ?? []);
  const unchecked = [...new Set(duplicates.filter((d) => !rechecked.has(d.chain)).map((d) => d.jti))];
  const storedFindings = new Map<string, TIngestResult["findings"]>();
  if (unchecked.length) {
    for (const f of yield* ask("findingsOf", unchecked)) {
      const list = storedFindings.get(f.eventJti) ?? [];
      list.push({ code: f.code as TFinding["code"], severity: f.severity as TFinding["severity"], message: f.message });
      storedFindings.set(f.eventJti, list);
    }
  }

  const statusOf = (jti: string) => checked?.statusOf.get(jti) ?? "accepted";
  const freshJtis = new Set(fresh.map((f) => f.claims.jti));
  yield* ask("write", {
    at,
    events: fresh.map((f) => eventInsert(f, statusOf(f.claims.jti))),
    chains: checked?.plan.chains ?? [],
    recheckedChains: checked?.plan.recheckedChains ?? [],
    findings: checked?.plan.findings ?? [],
    scopes: checked?.plan.scopes ?? [],
    principals: checked?.plan.principals ?? [],
    purposes: checked?.plan.purposes ?? [],
    // Fresh events are written with their final status; only stored ones change.
    toPending: (checked?.plan.toPending ?? []).filter((jti) => !freshJtis.has(jti)),
    toAccepted: (checked?.plan.toAccepted ?? []).filter((jti) => !freshJtis.has(jti)),
    head: fresh.length ? { seq, hash } : null,
    quarantine: rejected.map((r) => ({ jti: r.jti === null ? null : storableText(r.jti), code: r.code, message: storableText(r.message), raw: storableRaw(r.rawEntry) })),
  });

  const results: TIngestResult[] = new Array(candidates.length);
  const findingsOf = (jti: string) => checked?.findingsOf.get(jti) ?? storedFindings.get(jti) ?? [];
  for (const f of fresh) {
    const jti = f.claims.jti;
    results[f.index] = { jti, status: statusOf(jti) === "pending" ? "pending" : "accepted", chain: f.claims.chain, findings: findingsOf(jti) };
  }
  for (const d of duplicates) results[d.index] = { jti: d.jti, status: "duplicate", chain: d.chain, findings: findingsOf(d.jti) };
  for (const r of rejected) results[r.index] = { jti: r.jti, status: "rejected", findings: [], error: { code: r.code, message: r.message } };
  return results;
}

