// The evidence bundle (format "delegraph-evidence/2") and its offline verifier.
//
// A bundle carries everything needed to re-judge one chain without the server or its database: the
// raw tokens byte for byte with their ledger positions, the public keys and principal kinds the
// verdict depends on, the events outside the chain that its events point at, the verdicts the
// server gave, and the latest signed checkpoint of the ledger head that covers its events. The
// verifier re-runs the same lib/protocol code the ingest runs and reports every difference.
//
// The digest covers all of that (RFC 8785 canonical JSON of the bundle but digest, signature and
// about) and the server signs the digest with its own Ed25519 key. Format 1's digest covered only
// the tokens' seqs and hashes, so relabelling a principal or moving generatedAt re-judged a chain
// as verified under the same digest; that cannot be fixed in place, hence a new format.
//
// Pure: no database, no HTTP; relative imports only, so `npx delegraph verify` loads it through tsx
// from any working directory.
import type { TDriftFact } from "@/lib/protocol/drift";
import { z } from "zod";
import { checkEnvelope, jwkThumbprint } from "../protocol/envelope";
import { validatePublicJwk } from "../protocol/keys";
import { chainStatus } from "../protocol/chain";
import { anyReadTimeFindings, checkAnyChain } from "../protocol/any-chain";
import { checkCompact } from "../protocol/aip/compact";
import { checkChainedWith, type TChainedCheck } from "../protocol/aip/chained";
import type { TBiscuitEngine } from "../protocol/aip/biscuit";
import type { TAipClaims, TAipIdentity, TAipKey } from "../protocol/aip/types";
import { isPresentationRecord, parsePresentation, presentedInvoke } from "../protocol/aip/presented";
import { sortFindings } from "../protocol/findings";
import { GENESIS_HASH, ledgerHash } from "../protocol/ledger";
import {
  canonicalDigest,
  checkpointMessage,
  ed25519PublicJwk,
  ed25519Thumbprint,
  verifyMessage,
  type TEd25519Jwk,
  type TSignedCheckpoint,
} from "../ledger/signing";
import {
  EVENT_KINDS,
  FINDING_CODES,
  PRINCIPAL_KINDS,
  type TChainStatus,
  type TClaims,
  type TEventKind,
  type TFinding,
  type TPrincipalKind,
  type TRegistryPrincipal,
} from "../protocol/types";
import type { TChainDetail, TChainEvent } from "@/lib/contracts/chains";

export const EVIDENCE_FORMAT = "delegraph-evidence/2";
/** Formats this verifier recognises but refuses, with the reason it gives. */
const RETIRED_FORMATS: Record<string, string> = {
  "delegraph-evidence/1": "format delegraph-evidence/1 is not verified by this version: its digest does not bind the verdict; export the chain again",
};

// ---------------------------------------------------------------------------------------------
// The format. The zod schema is the contract the verifier reads; docs/exports.md describes it.

const ZSeverity = z.enum(["critical", "error", "warning"]);
const ZFindingCode = z.enum(FINDING_CODES as [TFinding["code"], ...TFinding["code"][]]);
const ZFinding = z.object({ code: ZFindingCode, severity: ZSeverity, message: z.string() });
const ZHex64 = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex digits");
const ZSeq = z.number().int().min(1);

const ZJwk = z.record(z.string(), z.unknown());

/** One event of the chain as the bundle lists it (tokenEntry below writes it). */
const ZToken = z.object({
  seq: ZSeq,
  jti: z.string(),
  receivedAt: z.iso.datetime(),
  /** the signing key's revokedAt at receipt (late_after_revocation), null when it was not revoked */
  keyRevokedAt: z.number().nullable(),
  /** invokes: the behavioural drift judged at receipt (behavior_drift); absent in bundles made before it existed */
  drift: z.record(z.string(), z.unknown()).nullable().optional(),
  token: z.string(),
  prevHash: ZHex64,
  hash: ZHex64,
  verdict: z.object({ status: z.enum(["accepted", "pending"]), findings: z.array(ZFinding) }),
});

export const ZEvidenceBundle = z.object({
  format: z.literal(EVIDENCE_FORMAT),
  chain: z.string().min(1),
  generatedAt: z.iso.datetime(),
  about: z.string().optional(),
  /** "sha256:" + hex SHA-256 of the RFC 8785 canonical JSON of the bundle without digest, signature and about */
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  /** The server's Ed25519 signature over the UTF-8 bytes of `digest`, with its public key */
  signature: z.object({ alg: z.literal("EdDSA"), kid: z.string(), jwk: ZJwk, value: z.string() }),
  tokens: z.array(ZToken),
  keys: z.array(
    z.object({
      principalId: z.string(),
      kind: z.enum(PRINCIPAL_KINDS),
      kid: z.string(),
      jwk: ZJwk,
      thumbprint: z.string(),
      revokedAt: z.number().nullable(),
    }),
  ),
  principals: z.array(z.object({ id: z.string(), kind: z.enum(PRINCIPAL_KINDS), name: z.string().nullable().optional() })),
  external: z.record(
    z.string(),
    z.object({
      chain: z.string(),
      kind: z.enum(EVENT_KINDS),
      seq: ZSeq,
      receivedAt: z.iso.datetime(),
      token: z.string(),
      prevHash: ZHex64,
      hash: ZHex64,
    }),
  ),
  ledgerHead: z.object({ seq: z.number().int().min(0), hash: ZHex64 }),
  /** The latest signed checkpoint of the ledger head at or after every event here; null before there is one */
  checkpoint: z.object({ seq: ZSeq, hash: ZHex64, at: z.iso.datetime(), kid: z.string(), jwk: ZJwk, signature: z.string() }).nullable(),
  verdict: z.object({
    status: z.enum(["verified", "warning", "pending", "violation"]),
    findings: z.array(ZFinding.extend({ eventJti: z.string(), isReadTime: z.boolean() })),
  }),
});
export type TEvidenceBundle = z.infer<typeof ZEvidenceBundle>;

const ABOUT =
  "Delegraph evidence bundle. Re-verify offline with `npx delegraph verify <this file> --key <server key thumbprint>`: " +
  "`digest` is sha256 over the RFC 8785 canonical JSON of this object without digest, signature and about, and " +
  "`signature` is the Delegraph server's Ed25519 signature over the digest; pin the server key with the thumbprint printed " +
  "on the chain's PDF report or served at GET /api/v1/ledger/key. The verifier also checks every token's signature against " +
  'the keys below (a key revoked at or before the token\'s iat fails), every ledger link hash = sha256(prevHash + "\\n" + token) ' +
  "with increasing seqs, the signed ledger checkpoint, and re-computes the chain's findings with the same verifier as the server.";

/** The members the digest leaves out: itself, the signature over it, and the how-to text. */
const UNDIGESTED = new Set(["digest", "signature", "about"]);

/** "sha256:" + hex SHA-256 of the RFC 8785 canonical JSON of `bundle` without digest, signature and about. */
export function evidenceDigest(bundle: Record<string, unknown>): string {
  return canonicalDigest(Object.fromEntries(Object.entries(bundle).filter(([k]) => !UNDIGESTED.has(k))));
}

const PRIVATE_MEMBERS = new Set(["d", "p", "q", "dp", "dq", "qi", "k"]);

function publicOnly(jwk: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(jwk).filter(([k]) => !PRIVATE_MEMBERS.has(k)));
}

type TBundleEvent = Pick<
  TChainEvent,
  "seq" | "jti" | "receivedAt" | "keyRevokedAt" | "drift" | "token" | "prevHash" | "hash" | "status" | "findings"
>;

/** Signs a bundle's digest: the server's key (lib/ledger/server-key.ts), or a test's. */
export type TBundleSigner = { kid: string; jwk: TEd25519Jwk; sign: (message: string) => string };

export type TBundleInput = {
  detail: Pick<TChainDetail, "id" | "generatedAt" | "status" | "findings"> & { events: TBundleEvent[] };
  principals: { id: string; kind: string; name: string | null }[];
  keys: { principalId: string; kid: string; jwk: Record<string, unknown>; thumbprint: string; revokedAt: number | null }[];
  external: { seq: number; jti: string; chainId: string; kind: string; token: string; prevHash: string; hash: string; receivedAt: string }[];
  ledgerHead: { seq: number; hash: string };
  checkpoint: (TSignedCheckpoint & { jwk: TEd25519Jwk }) | null;
  signer: TBundleSigner;
};

const strip = ({ code, severity, message }: TFinding) => ({ code, severity, message });

/** One token entry of the bundle (ZToken). */
function tokenEntry(e: TBundleEvent): z.infer<typeof ZToken> {
  return {
    seq: e.seq,
    jti: e.jti,
    receivedAt: e.receivedAt,
    keyRevokedAt: e.keyRevokedAt,
    ...(e.drift ? { drift: e.drift } : {}),
    token: e.token,
    prevHash: e.prevHash,
    hash: e.hash,
    verdict: { status: e.status, findings: e.findings.map(strip) },
  };
}

export function buildEvidenceBundle(input: TBundleInput): TEvidenceBundle {
  const { detail } = input;
  // Observed chains (docs/observed.md) have no signed events: nothing to bundle as evidence.
  if (detail.status === "observed") throw new Error(`chain ${detail.id} is observed, not signed: it has no evidence bundle`);
  const kindOf = new Map(input.principals.map((p) => [p.id, p.kind as TPrincipalKind]));
  const content = {
    format: EVIDENCE_FORMAT,
    chain: detail.id,
    generatedAt: detail.generatedAt,
    tokens: detail.events.map(tokenEntry),
    keys: input.keys.map((k) => ({
      principalId: k.principalId,
      kind: kindOf.get(k.principalId) ?? "agent",
      kid: k.kid,
      jwk: publicOnly(k.jwk),
      thumbprint: k.thumbprint,
      revokedAt: k.revokedAt,
    })),
    principals: input.principals.map((p) => ({ id: p.id, kind: p.kind as TPrincipalKind, name: p.name })),
    external: Object.fromEntries(
      input.external.map((x) => [
        x.jti,
        { chain: x.chainId, kind: x.kind as TEventKind, seq: x.seq, receivedAt: x.receivedAt, token: x.token, prevHash: x.prevHash, hash: x.hash },
      ]),
    ),
    ledgerHead: input.ledgerHead,
    checkpoint: input.checkpoint
      ? {
          seq: input.checkpoint.seq,
          hash: input.checkpoint.hash,
          at: input.checkpoint.at,
          kid: input.checkpoint.kid,
          jwk: input.checkpoint.jwk,
          signature: input.checkpoint.signature,
        }
      : null,
    verdict: {
      status: detail.status,
      findings: detail.findings.map((f) => ({ ...strip(f), eventJti: f.eventJti, isReadTime: f.isReadTime })),
    },
  } satisfies Omit<TEvidenceBundle, "digest" | "signature" | "about">;
  const digest = evidenceDigest(content);
  const { format, chain, generatedAt, ...rest } = content;
  return {
    format,
    chain,
    generatedAt,
    about: ABOUT,
    digest,
    signature: { alg: "EdDSA", kid: input.signer.kid, jwk: input.signer.jwk, value: input.signer.sign(digest) },
    ...rest,
  };
}

// ---------------------------------------------------------------------------------------------
// The observed record (format "delegraph-observed/1", docs/observed.md): what an observed chain's
// evidence.json answers. Nothing in it was signed by the agents, principals or tools it names, so
// nothing in it can be verified: it says so (`verified: false`, `notice`), and the verifier always
// fails it on that ground. The server's signature over its digest only attests that Delegraph
// recorded this assembly at `generatedAt`, so a copy can be checked for changes.

export const OBSERVED_EVIDENCE_FORMAT = "delegraph-observed/1";
export const OBSERVED_NOTICE =
  "Observed, not verified: this chain was assembled from OpenTelemetry spans or MCP/A2A captures. No agent, principal or tool " +
  "signed any of it; every edge is what the traffic claims. Signed events drawn beside it (signedBeside) are in their own " +
  "chains, whose evidence bundles verify them.";

export const ZObservedEvidence = z.object({
  format: z.literal(OBSERVED_EVIDENCE_FORMAT),
  chain: z.string().min(1),
  generatedAt: z.iso.datetime(),
  about: z.string().optional(),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  signature: z.object({ alg: z.literal("EdDSA"), kid: z.string(), jwk: ZJwk, value: z.string() }),
  status: z.literal("observed"),
  verified: z.literal(false),
  notice: z.string(),
  source: z.string(),
  /** the assembled chain (lib/observed/types.ts TObservedChain): nodes, dashed edges, calls */
  observed: z.record(z.string(), z.unknown()),
  /** signed events whose traceparent names an observed call: verified in their own chains */
  signedBeside: z.array(z.record(z.string(), z.unknown())),
  findings: z.array(ZFinding.extend({ eventJti: z.string() })),
});
export type TObservedEvidence = z.infer<typeof ZObservedEvidence>;
/** What GET /api/v1/chains/{id}/evidence.json answers: a signed chain's bundle or an observed chain's record. */
export const ZEvidenceAnswer = z.union([ZEvidenceBundle, ZObservedEvidence]);

/** The observed record of an observed chain read. */
export function buildObservedEvidence(detail: TChainDetail, signer: TBundleSigner): TObservedEvidence {
  if (!detail.observed) throw new Error(`chain ${detail.id} is not observed`);
  const content = {
    format: OBSERVED_EVIDENCE_FORMAT,
    chain: detail.id,
    generatedAt: detail.generatedAt,
    status: "observed" as const,
    verified: false as const,
    notice: OBSERVED_NOTICE,
    source: detail.source,
    observed: JSON.parse(JSON.stringify(detail.observed)) as Record<string, unknown>,
    signedBeside: (detail.observedSigned ?? []).map((m) => ({ ...m })),
    findings: detail.findings.map((f) => ({ code: f.code, severity: f.severity, message: f.message, eventJti: f.eventJti })),
  } satisfies Omit<TObservedEvidence, "digest" | "signature" | "about">;
  const digest = evidenceDigest(content);
  return {
    ...content,
    about:
      "Delegraph observed record: NOT an evidence bundle of signed events. `npx delegraph verify` checks its digest and the server's " +
      "signature (that Delegraph recorded it so) and always reports it as not verified.",
    digest,
    signature: { alg: "EdDSA", kid: signer.kid, jwk: signer.jwk, value: signer.sign(digest) },
  };
}

/** verifyEvidenceBundle for an observed record: digest and server signature, then "not verified", always. */
function verifyObservedRecord(input: unknown, add: TAdd, pinned: readonly string[] | undefined): TVerifyReport["signer"] {
  const parsed = ZObservedEvidence.safeParse(input);
  if (!parsed.success) {
    add("bundle", "format", false, `the record does not match ${OBSERVED_EVIDENCE_FORMAT}: ${describeIssues(parsed.error)}`);
    return null;
  }
  const r = parsed.data;
  add("bundle", "format", true, `${OBSERVED_EVIDENCE_FORMAT}: an observed chain's record`);
  const digest = evidenceDigest(r);
  add("bundle", "digest", digest === r.digest, digest === r.digest ? "digest recomputes" : `digest does not recompute (${digest})`);
  let signer: TVerifyReport["signer"] = null;
  const key = serverKeyOf("the record signature", r.signature.kid, r.signature.jwk);
  if (typeof key === "string") add("server", "signature", false, key);
  else {
    signer = { thumbprint: key.thumbprint, pinned: pinned && pinned.length ? pinned.includes(key.thumbprint) : null };
    const ok = digest === r.digest && verifyMessage(key.jwk, digest, r.signature.value);
    add(
      "server",
      "signature",
      ok,
      ok
        ? `the server's signature over the digest verifies (key ${key.thumbprint}): Delegraph recorded this`
        : "the server's signature over the digest does not verify",
    );
    if (signer.pinned === false) add("server", "pinned key", false, `signed by ${key.thumbprint}, which is not a pinned key`);
  }
  add(
    "signatures",
    "observed chain",
    false,
    "observed, not verified: no agent, principal or tool signed anything in this chain, so there is nothing to verify",
  );
  return signer;
}

// ---------------------------------------------------------------------------------------------
// Verification.

export type TCheckGroup = "bundle" | "server" | "keys" | "signatures" | "ledger" | "findings";
export type TCheck = { group: TCheckGroup; subject: string; ok: boolean; message: string; note?: string };
export type TVerifyReport = {
  ok: boolean;
  format: string | null;
  chain: string | null;
  generatedAt: string | null;
  digest: string | null;
  /** The server key that signed the bundle (its RFC 7638 thumbprint), and whether it was one of the pinned keys (null: none pinned). */
  signer: { thumbprint: string; pinned: boolean | null } | null;
  checkpoint: { seq: number; hash: string; at: string; thumbprint: string } | null;
  ledgerHead: { seq: number; hash: string } | null;
  tokens: number;
  checks: TCheck[];
  passed: number;
  failed: number;
};

/** `pinned`: RFC 7638 thumbprints of the server keys the bundle must be signed with (`--key`). */
export type TVerifyOptions = {
  pinned?: readonly string[];
  /** the Biscuit engine (lib/protocol/aip/biscuit.ts loadBiscuit), to check AIP chained tokens offline */
  biscuit?: TBiscuitEngine;
};

/**
 * An AIP token rather than a DEP event (docs/aip.md): a chained (Biscuit) token, or a compact JWS
 * whose header is not DEP's `typ: "dep+jwt"`.
 */
export function isAipToken(token: string): boolean {
  if (isPresentationRecord(token)) return false;
  if (!token.startsWith("eyJ")) return true;
  try {
    const header = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString("utf8")) as { typ?: unknown } | null;
    return header?.typ !== "dep+jwt";
  } catch {
    return false;
  }
}

/** The bundle holds AIP chained tokens: `npx delegraph verify` loads the Biscuit engine for them. */
export function bundleNeedsBiscuit(input: unknown): boolean {
  const tokens = (input as { tokens?: unknown } | null)?.tokens;
  return (
    Array.isArray(tokens) &&
    tokens.some((t) => {
      const token = (t as { token?: unknown })?.token;
      if (typeof token !== "string") return false;
      // a presentation record (docs/observed.md) carries the AIP token it presents
      const inner = isPresentationRecord(token) ? (parsePresentation(token)?.token ?? "eyJ") : token;
      return !inner.startsWith("eyJ");
    })
  );
}

const seconds = (iso: string) => Date.parse(iso) / 1000;
const findingKey = (f: { code: string; severity: string }) => `${f.code}/${f.severity}`;
function sameList(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort();
  const y = [...b].sort();
  return x.every((v, i) => v === y[i]);
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`)
    .join("; ");
}

type TAdd = (group: TCheckGroup, subject: string, ok: boolean, message: string, note?: string) => void;

/** A server-signed object's key: a public Ed25519 JWK whose thumbprint is the kid it is named by. */
function serverKeyOf(what: string, kid: string, jwk: unknown): { jwk: TEd25519Jwk; thumbprint: string } | string {
  const key = ed25519PublicJwk(jwk);
  if (!key) return `${what}'s key is not a public Ed25519 JWK`;
  const thumbprint = ed25519Thumbprint(key);
  if (thumbprint !== kid) return `${what}'s kid ${kid} is not its key's RFC 7638 thumbprint ${thumbprint}`;
  return { jwk: key, thumbprint };
}

/**
 * The server's own signatures: over the digest (as recomputed, so a bundle changed after signing
 * fails here too), over the checkpoint, and whether their keys are the pinned ones.
 */
function verifyServerSignatures(b: TEvidenceBundle, digest: string | null, pinned: readonly string[] | undefined, add: TAdd) {
  let signer: TVerifyReport["signer"] = null;
  let checkpoint: TVerifyReport["checkpoint"] = null;
  const used: string[] = [];

  const key = serverKeyOf("the bundle signature", b.signature.kid, b.signature.jwk);
  if (typeof key === "string") add("server", "signature", false, key);
  else {
    used.push(key.thumbprint);
    signer = { thumbprint: key.thumbprint, pinned: null };
    const ok = digest !== null && verifyMessage(key.jwk, digest, b.signature.value);
    add(
      "server",
      "signature",
      ok,
      ok
        ? `the server's Ed25519 signature over the digest verifies with key ${key.thumbprint}`
        : `the server's signature does not verify over the bundle's content with key ${key.thumbprint}: the bundle was changed after it was signed, or not signed by that key`,
    );
  }

  const c = b.checkpoint;
  if (c === null) {
    add(
      "server",
      "checkpoint",
      true,
      "no signed ledger checkpoint covers these events yet",
      "the server had not yet signed a ledger head at or after this chain's last event; the bundle's own signature still binds everything in it",
    );
  } else {
    const ckey = serverKeyOf("the checkpoint", c.kid, c.jwk);
    const last = Math.max(0, ...b.tokens.map((t) => t.seq), ...Object.values(b.external).map((x) => x.seq));
    const problems: string[] = [];
    if (typeof ckey === "string") problems.push(ckey);
    else {
      used.push(ckey.thumbprint);
      checkpoint = { seq: c.seq, hash: c.hash, at: c.at, thumbprint: ckey.thumbprint };
      if (!verifyMessage(ckey.jwk, checkpointMessage(c), c.signature)) problems.push(`its signature does not verify with key ${ckey.thumbprint}`);
    }
    if (c.seq < last) problems.push(`it is at seq ${c.seq}, before the bundle's event at seq ${last}`);
    if (c.seq > b.ledgerHead.seq) problems.push(`it is beyond the bundle's ledger head ${b.ledgerHead.seq}`);
    if (c.seq === b.ledgerHead.seq && c.hash !== b.ledgerHead.hash) problems.push("it is at the ledger head's seq but not its hash");
    const same = [...b.tokens, ...Object.values(b.external)].find((e) => e.seq === c.seq);
    if (same && same.hash !== c.hash) problems.push(`the bundle's event at seq ${c.seq} has another hash`);
    add(
      "server",
      "checkpoint",
      problems.length === 0,
      problems.length
        ? `ledger checkpoint at seq ${c.seq}: ${problems.join("; ")}`
        : `ledger checkpoint: the server signed seq ${c.seq} (hash ${c.hash.slice(0, 16)}…) at ${c.at}, at or after every event here`,
    );
  }

  const keys = [...new Set(used)];
  if (pinned && pinned.length > 0) {
    const stray = keys.filter((k) => !pinned.includes(k));
    const ok = keys.length > 0 && stray.length === 0;
    if (signer) signer.pinned = pinned.includes(signer.thumbprint);
    add(
      "server",
      "pinned key",
      ok,
      ok
        ? `signed by pinned server key${keys.length > 1 ? "s" : ""} ${keys.join(", ")}`
        : keys.length === 0
          ? "no usable server key to compare with the pinned keys"
          : `signed by server key ${stray.join(", ")}, which is not a pinned key (${pinned.join(", ")}): not from the server you expect`,
    );
  } else if (keys.length > 0) {
    add(
      "server",
      "pinned key",
      true,
      `signed by server key ${keys.join(", ")}, not pinned`,
      `the signer was not pinned: anyone can sign a bundle with a key of their own. Compare ${keys.join(", ")} with the thumbprint on the chain's PDF report or at GET /api/v1/ledger/key, or run with --key <thumbprint>`,
    );
  }
  return { signer, checkpoint };
}

/** Re-verifies a parsed bundle file. Never throws: every problem becomes a failed check. */
export function verifyEvidenceBundle(input: unknown, options: TVerifyOptions = {}): TVerifyReport {
  const checks: TCheck[] = [];
  const add = (group: TCheckGroup, subject: string, ok: boolean, message: string, note?: string) =>
    checks.push(note ? { group, subject, ok, message, note } : { group, subject, ok, message });
  let signer: TVerifyReport["signer"] = null;
  let checkpoint: TVerifyReport["checkpoint"] = null;
  const stated = (input as { format?: unknown } | null)?.format;
  const format = typeof stated === "string" ? stated : null;
  const finish = (b: TEvidenceBundle | null): TVerifyReport => {
    const failed = checks.filter((c) => !c.ok).length;
    return {
      ok: failed === 0,
      format,
      chain: b?.chain ?? null,
      generatedAt: b?.generatedAt ?? null,
      digest: b?.digest ?? null,
      signer,
      checkpoint,
      ledgerHead: b?.ledgerHead ?? null,
      tokens: b?.tokens.length ?? 0,
      checks,
      passed: checks.length - failed,
      failed,
    };
  };

  if (format !== null && RETIRED_FORMATS[format]) {
    add("bundle", "format", false, RETIRED_FORMATS[format]);
    return finish(null);
  }
  if (format === OBSERVED_EVIDENCE_FORMAT) {
    signer = verifyObservedRecord(input, add, options.pinned);
    const r = input as { chain?: unknown; generatedAt?: unknown; digest?: unknown };
    const report = finish(null);
    return {
      ...report,
      chain: typeof r.chain === "string" ? r.chain : null,
      generatedAt: typeof r.generatedAt === "string" ? r.generatedAt : null,
      digest: typeof r.digest === "string" ? r.digest : null,
    };
  }
  const parsed = ZEvidenceBundle.safeParse(input);
  if (!parsed.success) {
    add(
      "bundle",
      "format",
      false,
      format !== EVIDENCE_FORMAT
        ? `not a ${EVIDENCE_FORMAT} bundle (format ${JSON.stringify(format)})`
        : `the bundle does not match ${EVIDENCE_FORMAT}: ${describeIssues(parsed.error)}`,
    );
    return finish(null);
  }
  const b = parsed.data;
  add("bundle", "format", true, `${EVIDENCE_FORMAT}, chain ${b.chain}, ${b.tokens.length} tokens, generated ${b.generatedAt}`);

  // Over the file as read, not the parsed copy: a member the schema does not know is covered too.
  let digest: string | null = null;
  try {
    digest = evidenceDigest(input as Record<string, unknown>);
  } catch (e) {
    add("bundle", "digest", false, `the bundle cannot be canonicalised: ${(e as Error).message}`);
  }
  if (digest !== null)
    add(
      "bundle",
      "digest",
      digest === b.digest,
      digest === b.digest
        ? `digest ${digest} matches the bundle's content`
        : `the bundle's content hashes to ${digest}, but its digest says ${b.digest}: it was changed after it was exported`,
    );
  const server = verifyServerSignatures(b, digest, options.pinned, add);
  signer = server.signer;
  checkpoint = server.checkpoint;
  const seen = new Set<string>();
  const dupes = b.tokens.filter((t) => (seen.has(t.jti) ? true : (seen.add(t.jti), false))).map((t) => t.jti);
  if (dupes.length) add("bundle", "jti", false, `jti listed more than once: ${dupes.join(", ")}`);

  // --- Keys: each must be a public key whose thumbprint recomputes, of a listed principal.
  const principalKind = new Map(b.principals.map((p) => [p.id, p.kind]));
  for (const k of b.keys) {
    const subject = `${k.principalId} ${k.kid}`;
    const problem = validatePublicJwk(k.jwk);
    if (problem !== null) {
      add("keys", subject, false, `not a usable public key: ${problem}`);
      continue;
    }
    const tp = jwkThumbprint(k.jwk);
    if (tp !== k.thumbprint) add("keys", subject, false, `thumbprint recomputes to ${tp}, the bundle says ${k.thumbprint}`);
    else if (principalKind.get(k.principalId) !== k.kind)
      add(
        "keys",
        subject,
        false,
        `the key says its principal is a ${k.kind}, the principal list says ${principalKind.get(k.principalId) ?? "nothing"}`,
      );
    else add("keys", subject, true, `thumbprint ${tp}${k.revokedAt !== null ? `, revoked at ${k.revokedAt}` : ""}`);
  }

  // --- Signatures: the ingest's own envelope checks, with the bundle's keys as the registry.
  const registry = new Map<string, TRegistryPrincipal>();
  for (const k of b.keys) {
    const p = registry.get(k.principalId) ?? { id: k.principalId, kind: k.kind, keys: [] };
    p.keys.push({ kid: k.kid, jwk: k.jwk, revokedAt: k.revokedAt, thumbprint: k.thumbprint });
    registry.set(k.principalId, p);
  }
  const decoded = new Map<string, TClaims>();
  const envelope = (
    subject: string,
    token: string,
    receivedAt: string,
    expect: { jti: string; chain?: string; notChain?: string; kind?: TEventKind },
  ) => {
    const r = checkEnvelope(token, { now: seconds(receivedAt), principals: (iss) => registry.get(iss) });
    if (!r.ok) {
      add("signatures", subject, false, `${r.code}: ${r.message}`);
      return null;
    }
    const c = r.claims;
    const wrong: string[] = [];
    if (c.jti !== expect.jti) wrong.push(`its jti is ${c.jti}, not ${expect.jti}`);
    if (expect.chain !== undefined && c.chain !== expect.chain) wrong.push(`its chain is ${c.chain}, not ${expect.chain}`);
    if (expect.notChain !== undefined && c.chain === expect.notChain) wrong.push(`it belongs to this chain, not to another one`);
    if (expect.kind !== undefined && c.kind !== expect.kind) wrong.push(`it is a ${c.kind}, not a ${expect.kind}`);
    if (wrong.length) {
      add("signatures", subject, false, `signature verifies, but ${wrong.join("; ")}`);
      return null;
    }
    add("signatures", subject, true, `${r.header.alg} signature by ${c.iss} verifies with key ${r.key.kid} (${r.key.thumbprint})`);
    return c;
  };
  // AIP tokens: the import's own checks (lib/protocol/aip), the bundle's Ed25519 keys as identities,
  // at each token's receipt. The bundle carries no key windows, so only revocations narrow the keys.
  const aipIdentity = (id: string): TAipIdentity | undefined => {
    const p = registry.get(id);
    if (!p) return undefined;
    const keys: TAipKey[] = [];
    for (const k of p.keys) {
      const jwk = k.jwk as { crv?: unknown; x?: unknown };
      if (jwk.crv === "Ed25519" && typeof jwk.x === "string")
        keys.push({
          kid: k.kid,
          publicKey: new Uint8Array(Buffer.from(jwk.x, "base64url")),
          validFrom: null,
          validUntil: null,
          revokedAt: k.revokedAt,
        });
    }
    return { id, kind: p.kind, keys };
  };
  const chainedChecks = new Map<string, TChainedCheck>();
  const aipEnvelope = (subject: string, token: string, receivedAt: string, expect: { jti: string; chain: string }): TClaims | null => {
    const ctx = { now: seconds(receivedAt), resolveIdentity: aipIdentity, isStored: () => false };
    let claims: TAipClaims;
    let how: string;
    if (token.startsWith("eyJ")) {
      const r = checkCompact(token, ctx);
      if (!r.ok) {
        add("signatures", subject, false, `AIP compact token: ${r.error.code}: ${r.error.message}`);
        return null;
      }
      claims = r.claims;
      how = `AIP compact token: EdDSA signature by ${r.claims.iss} verifies with key ${r.key.kid}`;
    } else {
      if (!options.biscuit) {
        add("signatures", subject, false, "AIP chained token: the Biscuit engine is not loaded, so its block signatures were not checked");
        return null;
      }
      const key = `${ctx.now}\u0000${token}`;
      const r = chainedChecks.get(key) ?? checkChainedWith(options.biscuit, token, ctx);
      chainedChecks.set(key, r);
      if (!r.ok) {
        add("signatures", subject, false, `AIP chained token: ${r.error.code}: ${r.error.message}`);
        return null;
      }
      const ev = r.events.find((e) => e.jti === expect.jti);
      if (!ev) {
        add("signatures", subject, false, `the AIP chained token verifies, but none of its blocks has the id ${expect.jti}`);
        return null;
      }
      claims = ev.claims;
      how = `AIP chained token: block ${ev.claims.aip.block}, every block signature verifies under ${r.identity.id}'s key ${r.key.kid}`;
    }
    if (claims.jti !== expect.jti || claims.chain !== expect.chain) {
      add("signatures", subject, false, `the AIP token verifies, but it is ${claims.jti} of chain ${claims.chain}`);
      return null;
    }
    add("signatures", subject, true, how);
    return claims as unknown as TClaims;
  };
  // A presented call (docs/observed.md "AIP tokens in captures"): the AIP token it carries must
  // verify, and the invoke is re-derived from that token's events and the captured call.
  const presentedEnvelope = (subject: string, raw: string, receivedAt: string, expect: { jti: string; chain: string }): TClaims | null => {
    const p = parsePresentation(raw);
    if (!p) {
      add("signatures", subject, false, "not a presentation record this verifier reads (aip_presentation 1, canonical form)");
      return null;
    }
    const ctx = { now: seconds(receivedAt), resolveIdentity: aipIdentity, isStored: () => false };
    let events: TAipClaims[];
    if (p.token.startsWith("eyJ")) {
      const r = checkCompact(p.token, ctx);
      if (!r.ok) {
        add("signatures", subject, false, `presented AIP compact token: ${r.error.code}: ${r.error.message}`);
        return null;
      }
      events = [r.claims];
    } else {
      if (!options.biscuit) {
        add("signatures", subject, false, "presented AIP chained token: the Biscuit engine is not loaded, so its block signatures were not checked");
        return null;
      }
      const key = `${ctx.now}\u0000${p.token}`;
      const r = chainedChecks.get(key) ?? checkChainedWith(options.biscuit, p.token, ctx);
      chainedChecks.set(key, r);
      if (!r.ok) {
        add("signatures", subject, false, `presented AIP chained token: ${r.error.code}: ${r.error.message}`);
        return null;
      }
      events = r.events.map((e) => e.claims);
    }
    const invoke = presentedInvoke(p, events);
    if (!invoke || invoke.jti !== expect.jti || invoke.chain !== expect.chain) {
      add("signatures", subject, false, `the presented AIP token verifies, but the call it carries is not ${expect.jti} of chain ${expect.chain}`);
      return null;
    }
    add(
      "signatures",
      subject,
      true,
      `the AIP token presented with this ${p.call.via.toUpperCase()} call verifies; the call itself (${p.call.action} at ${new Date(p.call.at * 1000).toISOString()}) is as ${p.call.observedBy} captured it, not signed`,
    );
    return invoke;
  };
  for (const t of b.tokens) {
    const c = isPresentationRecord(t.token)
      ? presentedEnvelope(`seq ${t.seq} ${t.jti}`, t.token, t.receivedAt, { jti: t.jti, chain: b.chain })
      : isAipToken(t.token)
        ? aipEnvelope(`seq ${t.seq} ${t.jti}`, t.token, t.receivedAt, { jti: t.jti, chain: b.chain })
        : envelope(`seq ${t.seq} ${t.jti}`, t.token, t.receivedAt, { jti: t.jti, chain: b.chain });
    if (c) decoded.set(t.jti, c);
  }
  const external = new Map<string, { chain: string; kind: TEventKind }>();
  for (const [jti, x] of Object.entries(b.external)) {
    const c = envelope(`external ${jti}`, x.token, x.receivedAt, { jti, chain: x.chain, notChain: b.chain, kind: x.kind });
    if (c) external.set(jti, { chain: c.chain, kind: c.kind });
  }

  // --- Ledger links. A chain's events are spread through the global ledger, so each event's own
  // link is recomputed, seqs must increase, and where two events of the bundle are adjacent in the
  // ledger the later one must point at the earlier one's hash.
  let prev: { seq: number; hash: string } | null = null;
  for (const t of b.tokens) {
    const subject = `seq ${t.seq} ${t.jti}`;
    const problems: string[] = [];
    if (ledgerHash(t.prevHash, t.token) !== t.hash)
      problems.push('hash ≠ sha256(prevHash + "\\n" + token): the token or its ledger record was altered');
    if (prev && t.seq <= prev.seq) problems.push(`seq ${t.seq} does not come after seq ${prev.seq}`);
    if (prev && t.seq === prev.seq + 1 && t.prevHash !== prev.hash)
      problems.push(`prevHash is not the hash of seq ${prev.seq}, the event just before it`);
    if (t.seq === 1 && t.prevHash !== GENESIS_HASH) problems.push("seq 1 must follow the genesis hash (64 zeros)");
    if (t.seq > b.ledgerHead.seq) problems.push(`seq ${t.seq} is beyond the ledger head ${b.ledgerHead.seq}`);
    if (t.seq === b.ledgerHead.seq && t.hash !== b.ledgerHead.hash) problems.push("it is the ledger head's seq but not its hash");
    add(
      "ledger",
      subject,
      problems.length === 0,
      problems.length ? problems.join("; ") : `hash ${t.hash.slice(0, 16)}… recomputes from prevHash and token`,
    );
    prev = { seq: t.seq, hash: t.hash };
  }
  for (const [jti, x] of Object.entries(b.external)) {
    const ok = ledgerHash(x.prevHash, x.token) === x.hash && x.seq <= b.ledgerHead.seq;
    add(
      "ledger",
      `external ${jti}`,
      ok,
      ok ? `hash recomputes (seq ${x.seq}, chain ${x.chain})` : "hash does not recompute or seq is beyond the ledger head",
    );
  }

  // --- Findings: the chain check again, on the tokens that decoded, at the bundle's time.
  const events = b.tokens
    .filter((t) => decoded.has(t.jti))
    .map((t) => ({
      jti: t.jti,
      seq: t.seq,
      claims: decoded.get(t.jti)!,
      keyRevokedAt: t.keyRevokedAt ?? null,
      receivedAt: seconds(t.receivedAt),
      drift: (t.drift ?? null) as TDriftFact | null,
    }));
  for (const e of events) if (!external.has(e.jti)) external.set(e.jti, { chain: b.chain, kind: e.claims.kind });
  const chainInput = {
    chainId: b.chain,
    events,
    external,
    principalKinds: new Map(b.principals.map((p) => [p.id, p.kind])),
  };
  const analysis = checkAnyChain(chainInput);
  const late = anyReadTimeFindings(chainInput, analysis, seconds(b.generatedAt));
  const actualOf = (jti: string): TFinding[] => {
    const v = analysis.events.get(jti);
    const l = late.get(jti);
    return sortFindings([...(v?.findings ?? []), ...(l ? [l] : [])]);
  };
  for (const t of b.tokens) {
    const subject = `seq ${t.seq} ${t.jti}`;
    const v = analysis.events.get(t.jti);
    if (!v) {
      add("findings", subject, false, "not re-checked: the token did not verify");
      continue;
    }
    const actual = actualOf(t.jti);
    const want = t.verdict.findings.map(findingKey);
    const got = actual.map(findingKey);
    const problems: string[] = [];
    if (v.status !== t.verdict.status) problems.push(`status re-computes to ${v.status}, the bundle says ${t.verdict.status}`);
    if (!sameList(want, got)) problems.push(`findings re-compute to [${got.join(", ") || "none"}], the bundle says [${want.join(", ") || "none"}]`);
    const msgDiffer =
      problems.length === 0 &&
      !sameList(
        t.verdict.findings.map((f) => `${f.code}/${f.message}`),
        actual.map((f) => `${f.code}/${f.message}`),
      );
    add(
      "findings",
      subject,
      problems.length === 0,
      problems.length ? problems.join("; ") : `${v.status}, ${got.length ? got.join(", ") : "no findings"}`,
      msgDiffer ? "same codes, differently worded messages (another verifier version?)" : undefined,
    );
  }
  const all: (TFinding & { eventJti: string; isReadTime: boolean })[] = [];
  for (const e of events) for (const f of analysis.events.get(e.jti)?.findings ?? []) all.push({ ...f, eventJti: e.jti, isReadTime: false });
  for (const [jti, f] of late) all.push({ ...f, eventJti: jti, isReadTime: true });
  const status: TChainStatus = chainStatus(all, analysis.hasPending);
  const chainKey = (f: { eventJti: string; code: string; severity: string; isReadTime: boolean }) =>
    `${f.eventJti}/${f.code}/${f.severity}${f.isReadTime ? "/read-time" : ""}`;
  const wantAll = b.verdict.findings.map(chainKey);
  const gotAll = all.map(chainKey);
  const chainProblems: string[] = [];
  if (status !== b.verdict.status) chainProblems.push(`chain status re-computes to ${status}, the bundle says ${b.verdict.status}`);
  if (!sameList(wantAll, gotAll)) {
    const missing = wantAll.filter((k) => !gotAll.includes(k));
    const extra = gotAll.filter((k) => !wantAll.includes(k));
    chainProblems.push(
      `chain findings differ${missing.length ? `; in the bundle only: ${missing.join(", ")}` : ""}${extra.length ? `; re-computed only: ${extra.join(", ")}` : ""}`,
    );
  }
  add(
    "findings",
    "chain",
    chainProblems.length === 0,
    chainProblems.length
      ? chainProblems.join("; ")
      : `chain status ${status} with ${all.length} finding${all.length === 1 ? "" : "s"}, as the bundle says`,
  );
  return finish(b);
}

// ---------------------------------------------------------------------------------------------
// The human-readable report of `npx delegraph verify`.

const GROUP_TITLE: Record<TCheckGroup, string> = {
  bundle: "Bundle",
  server: "Server signature and ledger checkpoint",
  keys: "Public keys",
  signatures: "Signatures",
  ledger: "Ledger links",
  findings: "Chain findings",
};

export function formatVerifyReport(r: TVerifyReport, options: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(`Delegraph evidence verification${r.chain ? ` — chain ${r.chain}` : ""}`);
  if (r.generatedAt) lines.push(`generated ${r.generatedAt}; ${r.tokens} tokens; ledger head seq ${r.ledgerHead?.seq} ${r.ledgerHead?.hash}`);
  if (r.digest) lines.push(`digest ${r.digest}`);
  if (r.signer)
    lines.push(
      `signed by server key ${r.signer.thumbprint} ${
        r.signer.pinned === null
          ? "(NOT pinned: compare it with the PDF report's cover or GET /api/v1/ledger/key)"
          : r.signer.pinned
            ? "(pinned)"
            : "(NOT one of the pinned keys)"
      }`,
    );
  if (r.checkpoint) lines.push(`ledger checkpoint seq ${r.checkpoint.seq}, signed ${r.checkpoint.at}`);
  for (const group of Object.keys(GROUP_TITLE) as TCheckGroup[]) {
    const cs = r.checks.filter((c) => c.group === group);
    if (cs.length === 0) continue;
    const bad = cs.filter((c) => !c.ok);
    lines.push("");
    lines.push(`${bad.length ? "✗" : "✓"} ${GROUP_TITLE[group]}: ${cs.length - bad.length} of ${cs.length} passed`);
    for (const c of options.verbose ? cs : bad) lines.push(`  ${c.ok ? "✓" : "✗"} ${c.subject}: ${c.message}`);
    for (const c of cs) if (c.note) lines.push(`  ! ${c.subject}: ${c.note}`);
  }
  lines.push("");
  lines.push(r.ok ? `OK: all ${r.passed} checks passed.` : `FAILED: ${r.failed} of ${r.passed + r.failed} checks failed.`);
  return lines.join("\n");
}
