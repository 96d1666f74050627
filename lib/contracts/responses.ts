// The answers of /api/v1 as zod schemas, for the OpenAPI document (lib/openapi) and for the tests that
// hold real answers against it. The TypeScript answer types of each resource's contract stay the
// source the code is written against; the checks at the bottom fail the typecheck when a type and
// its schema part ways (every value of the type fits the schema, and both name the same members).
import { z } from "zod";
import { CHAIN_SOURCES, SEVERITIES } from "@/lib/protocol/grammar";
import { EVENT_KINDS, FINDING_CODES, PRINCIPAL_KINDS, REJECT_CODES, type TFindingCode } from "@/lib/protocol/types";
import type { TAuditPage } from "./audit";
import { ROLES, USER_ROLES, type TMe } from "./auth";
import type { TApiToken, TCreatedToken, TRevokedToken, TTokenList, TUser, TUserList } from "./admin";
import type { TChainDetail, TChainEvent, TChainList, TChainRefusals, TChainSummary, THop, TRawEvent } from "./chain-models";
import { ERROR_CODES, type TErrorBody } from "./errors";
import type { TIngestResponse } from "./events";
import type { TFindingList } from "./findings";
import type { TBlastNode, TPrincipalInvestigation, TResourceInvestigation } from "./investigate";
import type { TLedgerKey, TLedgerVerification } from "./ledger";
import type { TKeyRevoked, TPrincipalCreated, TPrincipalDetail, TPrincipalList } from "./principals";
import type { TQuarantinePage } from "./quarantine";
import { SEARCH_GROUPS, type TSearchAnswer } from "./search";
import type { TAipIdentityAnswer, TAipPrincipalKey, TAipTokenResult, TAipTokensAnswer } from "./aip";
import type { TCaptureResponse } from "./captures";
import type {
  TDriftView,
  TGrantUsageView,
  TLeastPrivilegeRanking,
  TPrincipalLeastPrivilege,
  TSuggestedGrantView,
  TUnusedRankView,
} from "./least-privilege";
import {
  CHAIN_REVIEW_STATUSES,
  FINDING_STATES,
  SAVED_VIEW_PAGES,
  type TBulkReviewResult,
  type TChainReview,
  type TFindingReview,
  type TFindingState,
  type TFindingWithHistory,
  type TReviewEntry,
  type TSavedView,
  type TSavedViewList,
} from "./review";
import type { TStats } from "./stats";
import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_EVENTS,
  type TCreatedWebhook,
  type TWebhook,
  type TWebhookDeliveryPage,
  type TWebhookList,
  type TWebhookTestQueued,
} from "./webhooks";

const ZFindingCode = z.enum(FINDING_CODES as [TFindingCode, ...TFindingCode[]]);
const ZSeverity = z.enum(SEVERITIES);
const ZChainStatus = z.enum(["verified", "warning", "pending", "violation", "observed"]);
const ZChainReviewStatus = z.enum(CHAIN_REVIEW_STATUSES);
const ZEventStatus = z.enum(["accepted", "pending"]);
const ZPurpose = z.object({ code: z.string(), text: z.string() });
const ZConstraints = z.object({ data: z.array(z.string()).optional(), egress: z.array(z.string()).optional() });
const ZCounts = z.object({ critical: z.number().int(), error: z.number().int(), warning: z.number().int() });
const ZIso = z.string().meta({ format: "date-time" });
const ZNumericDate = z.number().meta({ description: "NumericDate: seconds since the epoch" });

export const ZErrorBody = z
  .object({ error: z.object({ code: z.enum(ERROR_CODES), message: z.string() }) })
  .meta({ id: "Error", description: "Every error answer: a code of lib/contracts/errors.ts and a message for people." });

// ---- events

export const ZIngestResult = z
  .object({
    jti: z.string().nullable(),
    status: z.enum(["accepted", "duplicate", "pending", "rejected"]),
    chain: z.string().optional(),
    findings: z.array(z.object({ code: ZFindingCode, severity: ZSeverity, message: z.string() })),
    error: z.object({ code: z.enum(REJECT_CODES), message: z.string() }).optional(),
  })
  .meta({ id: "IngestResult" });
export const ZIngestResponse = z.object({ results: z.array(ZIngestResult) }).meta({ id: "IngestResponse" });

// ---- chains

/** Claims as signed: the members every kind has, and whatever else the kind carries (docs/protocol.md §2). */
const ZClaims = z
  .looseObject({
    v: z.literal(1),
    kind: z.enum(EVENT_KINDS),
    jti: z.string(),
    iss: z.string(),
    iat: z.number(),
    chain: z.string(),
  })
  .meta({ id: "Claims", description: "The event's signed claims (docs/protocol.md §2); members beyond these depend on kind." });

const ZChainFinding = z
  .object({ code: ZFindingCode, severity: ZSeverity, message: z.string(), eventJti: z.string(), isReadTime: z.boolean() })
  .meta({ id: "ChainFinding" });

const ZChainEvent = z
  .object({
    seq: z.number().int(),
    jti: z.string(),
    kind: z.enum(EVENT_KINDS),
    iss: z.string(),
    aud: z.string().nullable(),
    ref: z.string().nullable(),
    iat: ZNumericDate,
    exp: z.number().nullable(),
    status: ZEventStatus,
    receivedAt: ZIso,
    alg: z.string(),
    kid: z.string(),
    keyRevokedAt: z.number().nullable(),
    drift: z
      .object({
        purpose: z.string(),
        bucketSeconds: z.number(),
        aspects: z.array(z.object({ aspect: z.enum(["action", "resource", "data", "host", "rate"]), value: z.string() })),
        baseline: z.object({
          since: z.number(),
          events: z.number(),
          actions: z.number(),
          resources: z.number(),
          dataClasses: z.number(),
          hosts: z.number(),
          usualRate: z.number(),
        }),
      })
      .nullable()
      .meta({ description: "invokes: the behavioural drift judged at receipt against the signer's own history (behavior_drift); null when none" }),
    keyRevokedNow: z.number().nullable(),
    keyThumbprint: z.string().nullable(),
    token: z.string().meta({
      description:
        "the raw token: only with ?include=raw (roles that may read raw tokens); an empty string otherwise (GET /api/v1/events/{jti} gives one)",
    }),
    tokenSha256: z.string(),
    claims: ZClaims,
    prevHash: z.string(),
    hash: z.string(),
    findings: z.array(ZChainFinding),
  })
  .meta({ id: "ChainEvent" });

export const ZRawEvent = z
  .object({
    jti: z.string(),
    chainId: z.string(),
    seq: z.number().int(),
    kind: z.enum(EVENT_KINDS),
    alg: z.string(),
    kid: z.string(),
    token: z.string().meta({ description: "the token exactly as received (compact JWS, or an AIP chained token)" }),
    tokenSha256: z.string(),
    prevHash: z.string(),
    hash: z.string(),
    receivedAt: ZIso,
  })
  .meta({ id: "RawEvent" });

const ZInvocation = z.object({
  jti: z.string(),
  iss: z.string(),
  iat: z.number(),
  action: z.string(),
  resource: z.string(),
  purpose: z.string().nullable(),
  data: z.array(z.string()),
  findings: z.array(ZChainFinding),
});

const ZCompletion = z.object({
  jti: z.string(),
  iss: z.string(),
  iat: z.number(),
  status: z.enum(["completed", "failed", "partial"]),
  resultHash: z.string(),
  attestation: z.enum(["self_reported", "delegator_verified", "third_party"]).nullable(),
  evidence: z
    .object({
      summary: z.string().optional(),
      artifacts: z.array(z.object({ name: z.string(), hash: z.string(), uri: z.string().optional() })).optional(),
    })
    .nullable(),
});

const ZHop = z
  .object({
    jti: z.string(),
    kind: z.enum(["authorize", "delegate"]),
    parent: z.string().nullable(),
    from: z.string(),
    to: z.string(),
    iat: z.number(),
    exp: z.number(),
    scope: z.array(z.string()),
    scopeRemoved: z.array(z.string()),
    scopeAdded: z.array(z.string()),
    purpose: ZPurpose,
    constraints: ZConstraints.nullable(),
    effectiveConstraints: ZConstraints,
    maxDepth: z.number().int().nullable(),
    depth: z.number().int().nullable(),
    status: ZEventStatus,
    revokedAt: z.number().nullable(),
    signature: z.object({
      alg: z.string(),
      kid: z.string(),
      thumbprint: z.string().nullable(),
      verified: z.boolean().meta({ description: "false for an AIP block signed with an ephemeral key (docs/aip.md)" }),
    }),
    findings: z.array(ZChainFinding),
    invocations: z.array(ZInvocation),
    completions: z.array(ZCompletion),
    aip: z
      .object({
        mode: z.enum(["compact", "chained"]),
        role: z.enum(["compact", "root", "delegation", "completion", "counter_signature"]),
        block: z.number().int().nullable(),
        typ: z.string().nullable(),
        unverified: z.string().nullable(),
        onBehalfOf: z.string().nullable(),
        budget: z.object({ cents: z.number().nullable().optional(), usd: z.number().nullable().optional() }).nullable(),
        datalog: z.string().nullable(),
        verifiedBy: z.string().nullable(),
        iatIsReceipt: z.boolean(),
        reference: z.object({ verdict: z.enum(["valid", "invalid"]), error: z.string().nullable(), message: z.string() }).nullable(),
      })
      .optional()
      .meta({ description: "hops that came from AIP tokens (docs/aip.md)" }),
  })
  .meta({ id: "Hop" });

export const ZChainDetail = z
  .object({
    id: z.string(),
    status: ZChainStatus,
    source: z.enum(CHAIN_SOURCES),
    root: z
      .object({ jti: z.string(), iss: z.string(), aud: z.string(), purpose: ZPurpose, scope: z.array(z.string()), iat: z.number(), exp: z.number() })
      .nullable(),
    startedAt: z.number(),
    hopCount: z.number().int(),
    eventCount: z.number().int(),
    counts: ZCounts,
    nodes: z.array(
      z.object({
        id: z.string(),
        kind: z.enum([...PRINCIPAL_KINDS, "resource", "unregistered"]),
        name: z.string().nullable(),
        worstSeverity: ZSeverity.nullable(),
        findingCodes: z.array(ZFindingCode),
      }),
    ),
    hops: z.array(ZHop),
    looseEvents: z.array(z.string()),
    events: z.array(ZChainEvent),
    findings: z.array(ZChainFinding),
    ledgerHead: z.object({ seq: z.number().int(), hash: z.string() }),
    generatedAt: ZIso,
    observed: z.unknown().optional().meta({ description: "observed chains: the assembled chain (docs/observed.md)" }),
    observedSigned: z.array(z.unknown()).optional().meta({ description: "observed chains: signed events whose traceparent names an observed call" }),
  })
  .meta({ id: "ChainDetail" });

export const ZChainSummary = z
  .object({
    id: z.string(),
    status: ZChainStatus,
    source: z.enum(CHAIN_SOURCES),
    rootIss: z.string().nullable(),
    rootAud: z.string().nullable(),
    rootName: z.string().nullable(),
    rootAudName: z.string().nullable(),
    purposeCode: z.string().nullable(),
    purposeText: z.string().nullable(),
    startedAt: z.number(),
    hopCount: z.number().int(),
    eventCount: z.number().int(),
    counts: ZCounts,
    findingCodes: z.array(ZFindingCode),
    lastEventAt: ZIso,
    review: ZChainReviewStatus,
  })
  .meta({ id: "ChainSummary" });
export const ZChainRefusals = z
  .object({
    items: z.array(z.object({ id: z.number().int(), receivedAt: ZIso, jti: z.string().nullable(), code: z.string(), message: z.string() })),
    total: z.number().int(),
  })
  .meta({ id: "ChainRefusals" });

const ZSearchHit = z.object({ label: z.string(), detail: z.string().nullable(), href: z.string() });
export const ZSearchAnswer = z
  .object({
    q: z.string(),
    exact: z.object({ kind: z.enum(["chain", "event"]), href: z.string() }).nullable(),
    groups: z.object(
      Object.fromEntries(SEARCH_GROUPS.map((g) => [g, z.array(ZSearchHit)])) as Record<(typeof SEARCH_GROUPS)[number], z.ZodArray<typeof ZSearchHit>>,
    ),
  })
  .meta({ id: "SearchAnswer" });

export const ZChainList = z
  .object({
    items: z.array(ZChainSummary),
    nextCursor: z.string().nullable(),
    total: z.number().int().meta({ description: "chains matching the filters, counted up to 10,000: exact when isTotalExact, else a lower bound" }),
    isTotalExact: z.boolean().meta({ description: "false when more chains match than were counted: total is then 10,000 and means 10,000 or more" }),
  })
  .meta({ id: "ChainList" });

// ---- principals

const ZPrincipalKey = z
  .object({
    kid: z.string(),
    kty: z.string().nullable(),
    crv: z.string().nullable(),
    thumbprint: z.string(),
    revokedAt: z.number().nullable(),
    createdAt: ZIso,
  })
  .meta({ id: "PrincipalKey" });
export const ZPrincipalCreated = z
  .object({ id: z.string(), kind: z.enum(PRINCIPAL_KINDS), name: z.string().nullable(), createdAt: ZIso, keys: z.array(ZPrincipalKey) })
  .meta({ id: "PrincipalCreated" });
export const ZKeyRevoked = ZPrincipalKey.extend({ principalId: z.string() }).meta({ id: "KeyRevoked" });
export const ZPrincipalList = z
  .object({
    items: z.array(
      z.object({
        id: z.string(),
        kind: z.enum(PRINCIPAL_KINDS),
        name: z.string().nullable(),
        keyCount: z.number().int(),
        revokedKeyCount: z.number().int(),
        chainCount: z.number().int(),
        findingCount: z.number().int(),
        createdAt: ZIso,
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "PrincipalList" });
export const ZPrincipalDetail = z
  .object({
    principal: z.object({ id: z.string(), kind: z.enum(PRINCIPAL_KINDS), name: z.string().nullable(), createdAt: ZIso }),
    keys: z.array(ZPrincipalKey),
    chains: z.array(ZChainSummary),
    findings: z.array(z.object({ code: ZFindingCode, severity: ZSeverity, message: z.string(), eventJti: z.string(), chainId: z.string() })),
    aipDocument: z
      .object({ document: z.unknown(), signatureForm: z.string(), signedBy: z.string(), createdAt: ZIso, updatedAt: ZIso })
      .nullable()
      .optional()
      .meta({ description: "the AIP identity document the principal was registered with, as published" }),
  })
  .meta({ id: "PrincipalDetail" });

// ---- ledger

const ZEd25519Jwk = z.object({ kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: z.string() });
export const ZLedgerVerification = z
  .object({
    ok: z.boolean(),
    count: z.number().int(),
    head: z.string(),
    brokenAt: z.number().int().optional(),
    reason: z.string().optional(),
    checkpoints: z.object({ count: z.number().int(), verified: z.number().int(), lastSeq: z.number().int().nullable(), lastAt: ZIso.nullable() }),
  })
  .meta({ id: "LedgerVerification" });
export const ZLedgerKey = z
  .object({
    kid: z.string(),
    thumbprint: z.string(),
    jwk: ZEd25519Jwk,
    createdAt: ZIso,
    firstSeenAt: ZIso.nullable(),
    previous: z.array(z.object({ kid: z.string(), thumbprint: z.string(), jwk: ZEd25519Jwk, firstSeenAt: ZIso, trusted: z.boolean() })),
  })
  .meta({ id: "LedgerKey" });

// ---- read models

export const ZQuarantinePage = z
  .object({
    items: z.array(
      z.object({ id: z.number().int(), receivedAt: ZIso, jti: z.string().nullable(), code: z.string(), message: z.string(), raw: z.string() }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "QuarantinePage" });

/** A finding's review as read now (docs/review.md). */
export const ZFindingReview = z
  .object({
    state: z.enum(FINDING_STATES),
    assignee: z.string().nullable(),
    note: z.string().nullable(),
    acceptedUntil: z.number().nullable(),
    updatedAt: ZIso.nullable(),
    updatedBy: z.string().nullable(),
    reopened: z
      .union([z.object({ kind: z.literal("expired"), at: z.number() }), z.object({ kind: z.literal("changed"), was: z.string(), now: z.string() })])
      .nullable(),
  })
  .meta({ id: "FindingReview" });

const ZFactEvent = z.object({
  jti: z.string(),
  kind: z.enum(EVENT_KINDS),
  iss: z.string(),
  aud: z.string().nullable(),
  ref: z.string().nullable(),
  iat: z.number(),
  exp: z.number().nullable(),
  action: z.string().nullable(),
  resource: z.string().nullable(),
  data: z.array(z.string()),
  egress: z.array(z.string()).nullable(),
  scope: z.array(z.string()),
  purpose: z.string().nullable(),
  maxDepth: z.number().nullable(),
  status: z.string().nullable(),
  receivedAt: z.number().nullable(),
  keyRevokedAt: z.number().nullable(),
});
const ZFindingFacts = z
  .object({
    code: ZFindingCode,
    event: ZFactEvent.nullable(),
    grant: ZFactEvent.nullable(),
    revocation: z.object({ by: z.string(), at: z.number(), grantJti: z.string(), isOwnGrant: z.boolean() }).nullable(),
    egress: z.array(z.string()).nullable(),
  })
  .meta({ id: "FindingFacts" });

export const ZFindingList = z
  .object({
    items: z.array(
      z.object({
        id: z.union([z.string(), z.number()]),
        code: ZFindingCode,
        severity: ZSeverity,
        message: z.string(),
        eventJti: z.string(),
        chainId: z.string(),
        eventKind: z.enum(EVENT_KINDS).nullable(),
        iss: z.string().nullable(),
        iat: z.number().nullable(),
        at: z.number().nullable(),
        isReadTime: z.boolean(),
        review: ZFindingReview,
        facts: ZFindingFacts,
        names: z.record(z.string(), z.string()),
      }),
    ),
    nextCursor: z.string().nullable(),
    readTime: z.object({ missingEvidenceChains: z.number().int().nullable(), merged: z.boolean(), notMergedChains: z.number().int() }),
  })
  .meta({ id: "FindingList" });

export const ZStats = z
  .object({
    totalChains: z.number().int(),
    totalEvents: z.number().int(),
    chainsByStatus: z.object({
      verified: z.number().int(),
      warning: z.number().int(),
      pending: z.number().int(),
      violation: z.number().int(),
      observed: z.number().int(),
    }),
    recentViolations: z.array(ZChainSummary),
    findingsOverTime: z.array(z.object({ day: z.string(), code: ZFindingCode, count: z.number().int() })),
    topPrincipals: z.array(z.object({ principalId: z.string(), kind: z.enum(PRINCIPAL_KINDS).nullable(), findings: z.number().int() })),
  })
  .meta({ id: "Stats" });

const ZFindingBrief = z.object({ code: ZFindingCode, severity: ZSeverity });
export const ZResourceInvestigation = z
  .object({
    items: z.array(
      z.object({
        jti: z.string(),
        chainId: z.string(),
        iss: z.string(),
        action: z.string(),
        resource: z.string(),
        iat: z.number(),
        status: z.string(),
        findings: z.array(ZFindingBrief),
      }),
    ),
    truncated: z.boolean(),
  })
  .meta({ id: "ResourceInvestigation" });
type TBlastNodeShape = z.ZodType<TBlastNode>;
const ZBlastNode: TBlastNodeShape = z
  .lazy(() =>
    z.object({
      jti: z.string(),
      chainId: z.string(),
      kind: z.enum(EVENT_KINDS),
      iss: z.string(),
      aud: z.string().nullable(),
      action: z.string().nullable(),
      resource: z.string().nullable(),
      purpose: z.string().nullable(),
      iat: z.number(),
      relation: z.enum(["signed", "received", "downstream"]),
      findings: z.array(ZFindingBrief),
      children: z.array(ZBlastNode),
    }),
  )
  .meta({ id: "BlastNode" });

export const ZPrincipalInvestigation = z
  .object({
    events: z.array(
      z.object({
        jti: z.string(),
        kind: z.enum(EVENT_KINDS),
        chainId: z.string(),
        iss: z.string(),
        aud: z.string().nullable(),
        ref: z.string().nullable(),
        iat: z.number(),
        findings: z.array(ZFindingBrief),
      }),
    ),
    chains: z.array(ZChainSummary),
    truncated: z.boolean(),
    kid: z.string().nullable(),
    tree: z.object({ roots: z.array(ZBlastNode), direct: z.number().int(), downstream: z.number().int(), truncated: z.boolean() }),
    refused: z.array(
      z.object({
        id: z.number().int(),
        receivedAt: ZIso,
        jti: z.string().nullable(),
        chainId: z.string().nullable(),
        kid: z.string().nullable(),
        code: z.string(),
        message: z.string(),
      }),
    ),
    refusedScanLimitReached: z.boolean(),
  })
  .meta({ id: "PrincipalInvestigation" });

// ---- administration

const ZApiToken = z
  .object({ id: z.string(), name: z.string(), role: z.enum(ROLES), createdAt: ZIso, createdBy: z.string().nullable(), revokedAt: ZIso.nullable() })
  .meta({ id: "ApiToken" });
export const ZTokenList = z.object({ items: z.array(ZApiToken) }).meta({ id: "TokenList" });
export const ZCreatedToken = z
  .object({ id: z.string(), name: z.string(), role: z.enum(ROLES), createdAt: ZIso, token: z.string().meta({ description: "shown once" }) })
  .meta({ id: "CreatedToken" });
export const ZRevokedToken = z.object({ id: z.string(), revokedAt: ZIso }).meta({ id: "RevokedToken" });

export const ZUser = z
  .object({ id: z.string(), email: z.string(), name: z.string().nullable(), role: z.enum(USER_ROLES), createdAt: ZIso, disabledAt: ZIso.nullable() })
  .meta({ id: "User" });
export const ZUserList = z.object({ items: z.array(ZUser) }).meta({ id: "UserList" });

export const ZAuditPage = z
  .object({
    items: z.array(
      z.object({
        id: z.number().int(),
        at: ZIso,
        actor: z.string(),
        action: z.string(),
        target: z.string().nullable(),
        detail: z.unknown(),
        ip: z.string().nullable(),
      }),
    ),
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "AuditPage" });

export const ZMe = z
  .object({ user: z.object({ id: z.string(), email: z.string(), role: z.enum(USER_ROLES) }), csrfToken: z.string() })
  .meta({ id: "Me" });
export const ZOk = z.object({ ok: z.literal(true) });

// ---- webhooks (docs/review.md#webhooks)
const ZWebhookDeliveryStatus = z.enum(WEBHOOK_DELIVERY_STATUSES);
export const ZWebhook = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.enum(WEBHOOK_EVENTS)),
    minSeverity: ZSeverity.nullable(),
    createdAt: ZIso,
    createdBy: z.string(),
    queued: z.number().int(),
    lastDelivery: z
      .object({ status: ZWebhookDeliveryStatus, createdAt: ZIso, httpStatus: z.number().int().nullable(), error: z.string().nullable() })
      .nullable(),
  })
  .meta({ id: "Webhook" });
export const ZWebhookList = z.object({ items: z.array(ZWebhook) }).meta({ id: "WebhookList" });
export const ZCreatedWebhook = ZWebhook.extend({ secret: z.string().meta({ description: "signs every delivery; shown once" }) }).meta({
  id: "CreatedWebhook",
});
const ZWebhookDelivery = z.object({
  id: z.number().int(),
  eventId: z.string(),
  type: z.enum([...WEBHOOK_EVENTS, "webhook.test"]),
  status: ZWebhookDeliveryStatus,
  createdAt: ZIso,
  attempts: z.number().int(),
  nextAttemptAt: ZIso.nullable(),
  deliveredAt: ZIso.nullable(),
  expiresAt: ZIso,
  log: z.array(z.object({ at: ZIso, durationMs: z.number().int(), httpStatus: z.number().int().nullable(), error: z.string().nullable() })),
});
export const ZWebhookDeliveryPage = z.object({ items: z.array(ZWebhookDelivery), total: z.number().int() }).meta({ id: "WebhookDeliveryPage" });
export const ZWebhookTestQueued = z.object({ delivery: z.number().int(), eventId: z.string() }).meta({ id: "WebhookTestQueued" });
// ---- AIP import (docs/aip.md)

const ZAipVerdict = z
  .object({ verdict: z.enum(["valid", "invalid"]), error: z.string().nullable(), message: z.string() })
  .meta({ id: "AipVerdict", description: "what AIP's reference verifier says (docs/aip.md)" });
const ZAipPrincipalKey = ZPrincipalKey.extend({ validFrom: z.number().nullable(), validUntil: z.number().nullable() }).meta({
  id: "AipPrincipalKey",
});
export const ZAipIdentityAnswer = z
  .object({
    principal: z.object({ id: z.string(), kind: z.enum(PRINCIPAL_KINDS), name: z.string().nullable() }),
    keys: z.array(ZAipPrincipalKey),
    signatureForm: z.enum(["python", "draft", "rust"]),
    signedBy: z.string().meta({ description: "the kid of the document's key that verified its signature" }),
    aip: ZAipVerdict,
  })
  .meta({ id: "AipIdentityAnswer" });
const ZAipTokenResult = z
  .object({
    id: z.string(),
    mode: z.enum(["compact", "chained"]),
    status: z.enum(["accepted", "duplicate", "rejected"]),
    chain: z.string().optional(),
    events: z.array(z.string()),
    findings: z.array(z.object({ code: ZFindingCode, severity: ZSeverity, message: z.string() })),
    error: z.object({ code: z.enum(REJECT_CODES), message: z.string() }).optional(),
    aip: ZAipVerdict,
  })
  .meta({ id: "AipTokenResult" });
export const ZAipTokensAnswer = z.object({ results: z.array(ZAipTokenResult) }).meta({ id: "AipTokensAnswer" });

// ---- observed chains (docs/observed.md)

export const ZCaptureResponse = z
  .object({
    accepted: z.number().int(),
    rejected: z.number().int(),
    results: z.array(
      z.object({
        index: z.number().int(),
        status: z.enum(["accepted", "rejected"]),
        reason: z.string().optional(),
        aip: z
          .discriminatedUnion("status", [
            z.object({ status: z.literal("verified"), from: z.string(), chain: z.string(), invoke: z.string(), findings: z.array(z.string()) }),
            z.object({ status: z.literal("rejected"), from: z.string(), reason: z.string() }),
          ])
          .optional(),
      }),
    ),
    chains: z.array(z.string()),
  })
  .meta({ id: "CaptureResponse" });

// ---- review workflow (docs/review.md)

const ZReviewEntry = z
  .object({
    id: z.number().int(),
    at: ZIso,
    actor: z.string(),
    action: z.enum(["state", "assign", "comment", "review_status", "sign_off"]),
    fromState: z.string().nullable(),
    toState: z.string().nullable(),
    assignee: z.string().nullable(),
    note: z.string().nullable(),
    acceptedUntil: z.number().nullable(),
  })
  .meta({ id: "ReviewEntry" });
export const ZFindingWithHistory = z
  .object({
    id: z.union([z.string(), z.number()]),
    code: z.string(),
    severity: z.string(),
    message: z.string(),
    eventJti: z.string(),
    chainId: z.string(),
    review: ZFindingReview,
    history: z.array(ZReviewEntry),
  })
  .meta({ id: "FindingWithHistory" });
export const ZBulkReviewResult = z
  .object({
    results: z.array(
      z.union([
        z.object({ id: z.union([z.string(), z.number()]), ok: z.literal(true), review: ZFindingReview }),
        z.object({ id: z.union([z.string(), z.number()]), ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) }),
      ]),
    ),
  })
  .meta({ id: "BulkReviewResult" });
export const ZChainReview = z
  .object({
    chainId: z.string(),
    status: ZChainReviewStatus,
    reviewer: z.string().nullable(),
    statement: z.string().nullable(),
    signedOffAt: ZIso.nullable(),
    updatedAt: ZIso.nullable(),
    updatedBy: z.string().nullable(),
    findingStates: z.object(Object.fromEntries(FINDING_STATES.map((s) => [s, z.number().int()])) as Record<TFindingState, z.ZodNumber>),
    history: z.array(ZReviewEntry),
  })
  .meta({ id: "ChainReview" });
export const ZSavedView = z
  .object({
    id: z.string(),
    name: z.string(),
    page: z.enum(SAVED_VIEW_PAGES),
    query: z.string(),
    href: z.string().meta({ description: "the view's URL: it reproduces the list" }),
    owner: z.string(),
    shared: z.boolean(),
    isMine: z.boolean(),
    createdAt: ZIso,
  })
  .meta({ id: "SavedView" });
export const ZSavedViewList = z.object({ items: z.array(ZSavedView) }).meta({ id: "SavedViewList" });

// ---- least privilege (docs/least-privilege.md)

const ZLeastPrivilegeWindow = { since: ZNumericDate, until: ZNumericDate, purpose: z.string().nullable() };
const ZGrantUsage = z
  .object({
    jti: z.string(),
    chain: z.string(),
    purpose: z.string(),
    iat: z.number(),
    exp: z.number(),
    granted: z.array(z.string()),
    used: z.array(z.object({ scope: z.string(), invocations: z.number().int(), delegations: z.number().int(), uses: z.array(z.string()) })),
    unused: z.array(z.string()),
    outside: z.array(z.object({ scope: z.string(), count: z.number().int() })),
    effectiveConstraints: ZConstraints,
  })
  .meta({ id: "GrantUsage" });
const ZDrift = z
  .object({
    jti: z.string(),
    chain: z.string(),
    purpose: z.string(),
    iat: z.number(),
    aspects: z.array(z.object({ aspect: z.enum(["action", "resource", "data", "host", "rate"]), value: z.string() })),
    baseline: z.object({
      since: z.number(),
      events: z.number().int(),
      actions: z.number().int(),
      resources: z.number().int(),
      dataClasses: z.number().int(),
      hosts: z.number().int(),
      usualRate: z.number(),
    }),
    message: z.string(),
  })
  .meta({ id: "Drift" });
const ZSuggestedGrantView = z
  .object({
    scope: z.array(z.string()),
    constraints: z.object({ data: z.array(z.string()), egress: z.array(z.string()) }),
    max_depth: z.number().int(),
    ttl: z.number().nullable(),
    purpose: z.string().nullable(),
  })
  .meta({ id: "SuggestedGrant", description: "delegate claims that would have covered the observed use" });
export const ZPrincipalLeastPrivilege = z
  .object({
    ...ZLeastPrivilegeWindow,
    principal: z.string(),
    drift: z.array(ZDrift),
    grants: z.array(ZGrantUsage),
    suggested: ZSuggestedGrantView,
    totals: z.object({ grants: z.number().int(), granted: z.number().int(), unused: z.number().int(), uses: z.number().int() }),
    truncated: z.boolean(),
  })
  .meta({ id: "PrincipalLeastPrivilege" });
export const ZLeastPrivilegeRanking = z
  .object({
    ...ZLeastPrivilegeWindow,
    items: z.array(
      z.object({
        principal: z.string(),
        purpose: z.string(),
        grants: z.number().int(),
        granted: z.number().int(),
        unused: z.number().int(),
        unusedShare: z.number(),
        uses: z.number().int(),
        neverUsed: z.array(z.string()),
      }),
    ),
    analysedGrants: z.number().int(),
    truncated: z.boolean(),
  })
  .meta({ id: "LeastPrivilegeRanking" });

// ---- meta

/** GET /api/v1/openapi.json: an OpenAPI 3.1 document (its full shape is OpenAPI's own schema, checked by lib/openapi/document.test.ts). */
export const ZOpenApiDocument = z
  .looseObject({
    openapi: z.string().regex(/^3\.1\.\d+$/),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string(), z.record(z.string(), z.unknown())),
    components: z.looseObject({ schemas: z.record(z.string(), z.unknown()) }),
  })
  .meta({ id: "OpenApiDocument" });

// ---- the checks: a type and its schema say the same

/** Every value of T fits the schema's type S, and T and S name the same members. */
type TSame<T, S> = [T] extends [S] ? ([keyof T] extends [keyof S] ? ([keyof S] extends [keyof T] ? true : false) : false) : false;
type TItem<T> = T extends { items: (infer I)[] } ? I : never;
function same<_T extends true>() {}

same<TSame<TErrorBody, z.infer<typeof ZErrorBody>>>();
same<TSame<TIngestResponse, z.infer<typeof ZIngestResponse>>>();
same<TSame<TChainEvent, z.infer<typeof ZChainEvent>>>();
same<TSame<TRawEvent, z.infer<typeof ZRawEvent>>>();
same<TSame<THop, z.infer<typeof ZHop>>>();
same<TSame<TChainDetail, z.infer<typeof ZChainDetail>>>();
same<TSame<TChainSummary, z.infer<typeof ZChainSummary>>>();
same<TSame<TChainList, z.infer<typeof ZChainList>>>();
same<TSame<TChainRefusals, z.infer<typeof ZChainRefusals>>>();
same<TSame<TItem<TChainRefusals>, TItem<z.infer<typeof ZChainRefusals>>>>();
same<TSame<TSearchAnswer, z.infer<typeof ZSearchAnswer>>>();
same<TSame<TSearchAnswer["groups"], z.infer<typeof ZSearchAnswer>["groups"]>>();
same<TSame<TPrincipalCreated, z.infer<typeof ZPrincipalCreated>>>();
same<TSame<TKeyRevoked, z.infer<typeof ZKeyRevoked>>>();
same<TSame<TPrincipalList, z.infer<typeof ZPrincipalList>>>();
same<TSame<TItem<TPrincipalList>, TItem<z.infer<typeof ZPrincipalList>>>>();
same<TSame<TPrincipalDetail, z.infer<typeof ZPrincipalDetail>>>();
same<TSame<TLedgerVerification, z.infer<typeof ZLedgerVerification>>>();
same<TSame<TLedgerKey, z.infer<typeof ZLedgerKey>>>();
same<TSame<TQuarantinePage, z.infer<typeof ZQuarantinePage>>>();
same<TSame<TItem<TQuarantinePage>, TItem<z.infer<typeof ZQuarantinePage>>>>();
same<TSame<TFindingList, z.infer<typeof ZFindingList>>>();
same<TSame<TItem<TFindingList>, TItem<z.infer<typeof ZFindingList>>>>();
same<TSame<TStats, z.infer<typeof ZStats>>>();
same<TSame<TResourceInvestigation, z.infer<typeof ZResourceInvestigation>>>();
same<TSame<TItem<TResourceInvestigation>, TItem<z.infer<typeof ZResourceInvestigation>>>>();
same<TSame<TPrincipalInvestigation, z.infer<typeof ZPrincipalInvestigation>>>();
same<TSame<TApiToken, z.infer<typeof ZApiToken>>>();
same<TSame<TTokenList, z.infer<typeof ZTokenList>>>();
same<TSame<TCreatedToken, z.infer<typeof ZCreatedToken>>>();
same<TSame<TRevokedToken, z.infer<typeof ZRevokedToken>>>();
same<TSame<TUser, z.infer<typeof ZUser>>>();
same<TSame<TUserList, z.infer<typeof ZUserList>>>();
same<TSame<TAuditPage, z.infer<typeof ZAuditPage>>>();
same<TSame<TItem<TAuditPage>, TItem<z.infer<typeof ZAuditPage>>>>();
same<TSame<TMe, z.infer<typeof ZMe>>>();
same<TSame<TWebhook, z.infer<typeof ZWebhook>>>();
same<TSame<TWebhookList, z.infer<typeof ZWebhookList>>>();
same<TSame<TCreatedWebhook, z.infer<typeof ZCreatedWebhook>>>();
same<TSame<TWebhookDeliveryPage, z.infer<typeof ZWebhookDeliveryPage>>>();
same<TSame<TItem<TWebhookDeliveryPage>, TItem<z.infer<typeof ZWebhookDeliveryPage>>>>();
same<TSame<TWebhookTestQueued, z.infer<typeof ZWebhookTestQueued>>>();
same<TSame<TFindingReview, z.infer<typeof ZFindingReview>>>();
same<TSame<TAipPrincipalKey, z.infer<typeof ZAipPrincipalKey>>>();
same<TSame<TAipIdentityAnswer, z.infer<typeof ZAipIdentityAnswer>>>();
same<TSame<TAipIdentityAnswer["principal"], z.infer<typeof ZAipIdentityAnswer>["principal"]>>();
same<TSame<TAipTokenResult, z.infer<typeof ZAipTokenResult>>>();
same<TSame<TAipTokensAnswer, z.infer<typeof ZAipTokensAnswer>>>();
same<TSame<TCaptureResponse, z.infer<typeof ZCaptureResponse>>>();
same<TSame<TCaptureResponse["results"][number], z.infer<typeof ZCaptureResponse>["results"][number]>>();
same<TSame<TReviewEntry, z.infer<typeof ZReviewEntry>>>();
same<TSame<TFindingWithHistory, z.infer<typeof ZFindingWithHistory>>>();
same<TSame<TBulkReviewResult, z.infer<typeof ZBulkReviewResult>>>();
same<TSame<TChainReview, z.infer<typeof ZChainReview>>>();
same<TSame<TChainReview["findingStates"], z.infer<typeof ZChainReview>["findingStates"]>>();
same<TSame<TSavedView, z.infer<typeof ZSavedView>>>();
same<TSame<TSavedViewList, z.infer<typeof ZSavedViewList>>>();
same<TSame<TGrantUsageView, z.infer<typeof ZGrantUsage>>>();
same<TSame<TDriftView, z.infer<typeof ZDrift>>>();
same<TSame<TSuggestedGrantView, z.infer<typeof ZSuggestedGrantView>>>();
same<TSame<TPrincipalLeastPrivilege, z.infer<typeof ZPrincipalLeastPrivilege>>>();
same<TSame<TLeastPrivilegeRanking, z.infer<typeof ZLeastPrivilegeRanking>>>();
same<TSame<TUnusedRankView, TItem<z.infer<typeof ZLeastPrivilegeRanking>>>>();
