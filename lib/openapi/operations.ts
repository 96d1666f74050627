// Every operation of /api/v1 with the zod schemas its route parses (query, body) and answers with,
// the one table the OpenAPI document (document.ts) is built from. A route without a row here fails
// tests/integration/openapi.test.ts and lib/openapi/document.test.ts; so does a row without a route.
import type { z } from "zod";
import type { TPermission } from "@/lib/auth/roles";
import { ZAuditQuery } from "@/lib/contracts/audit";
import { ZCreateToken, ZCreateUser, ZUpdateUser } from "@/lib/contracts/admin";
import { ZChainFilters, ZChainListQuery } from "@/lib/contracts/chains";
import { ZEventBatch } from "@/lib/contracts/events";
import { ZFindingsQuery } from "@/lib/contracts/findings";
import { ZPrincipalActivityQuery, ZResourceQuery } from "@/lib/contracts/investigate";
import { ZCreatePrincipal, ZPrincipalListQuery, ZRevokeKey } from "@/lib/contracts/principals";
import { ZQuarantineQuery } from "@/lib/contracts/quarantine";
import { ZSearchQuery } from "@/lib/contracts/search";
import {
  ZAuditPage,
  ZChainDetail,
  ZChainList,
  ZChainRefusals,
  ZCreatedToken,
  ZFindingList,
  ZIngestResponse,
  ZKeyRevoked,
  ZLedgerKey,
  ZLedgerVerification,
  ZPrincipalCreated,
  ZPrincipalDetail,
  ZPrincipalInvestigation,
  ZPrincipalList,
  ZQuarantinePage,
  ZResourceInvestigation,
  ZRevokedToken,
  ZSearchAnswer,
  ZStats,
  ZTokenList,
  ZUser,
  ZUserList,
} from "@/lib/contracts/responses";
import { ZEvidenceBundle } from "@/lib/reports/evidence";

export type TMethod = "get" | "post" | "patch";

export type TOperation = {
  method: TMethod;
  /** OpenAPI path template under the server root: /api/v1/chains/{id} */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  /** null: no credentials needed */
  permission: TPermission | null;
  query?: z.ZodType;
  /** a JSON body */
  body?: z.ZodType;
  /** other request media types the route accepts, with their description */
  otherBodies?: Record<string, string>;
  /** the success answer: its status, media type and, for JSON, schema */
  success: { status: number; description: string; mediaType: string; schema?: z.ZodType; binary?: boolean };
  /** further error statuses beyond the ones every authenticated route may answer (400, 401, 403, 429, 503) */
  errors?: number[];
};

const CSV = "text/csv";
const PDF = "application/pdf";
const JSON_TYPE = "application/json";

export const OPERATIONS: TOperation[] = [
  {
    method: "post",
    path: "/api/v1/events",
    operationId: "ingestEvents",
    tag: "events",
    summary: "Ingest signed delegation events: one token as application/jwt, or up to 1000 as {events: [...]}. One result per token, in order.",
    permission: "events:write",
    body: ZEventBatch,
    otherBodies: { "application/jwt": "one compact JWS (dep+jwt)" },
    success: { status: 200, description: "one result per token, in the order sent", mediaType: JSON_TYPE, schema: ZIngestResponse },
    errors: [413],
  },
  {
    method: "get",
    path: "/api/v1/chains",
    operationId: "listChains",
    tag: "chains",
    summary: "Chains, newest first, filtered; an opaque cursor pages on.",
    permission: "chains:read",
    query: ZChainListQuery,
    success: { status: 200, description: "a page of chains", mediaType: JSON_TYPE, schema: ZChainList },
  },
  {
    method: "get",
    path: "/api/v1/chains/{id}",
    operationId: "getChain",
    tag: "chains",
    summary: "The whole chain: status, nodes, hops, invocations, completions, events, findings. Weak ETag; If-None-Match answers 304.",
    permission: "chains:read",
    success: { status: 200, description: "the chain", mediaType: JSON_TYPE, schema: ZChainDetail },
    errors: [304, 404],
  },
  {
    method: "get",
    path: "/api/v1/chains/{id}/refused",
    operationId: "getChainRefusals",
    tag: "chains",
    summary: "Submissions refused at ingest whose (unverified) payload names this chain, newest first, without raw bytes.",
    permission: "chains:read",
    success: { status: 200, description: "the refusals (an empty list for an id nothing named)", mediaType: JSON_TYPE, schema: ZChainRefusals },
  },
  {
    method: "get",
    path: "/api/v1/search",
    operationId: "search",
    tag: "chains",
    summary: "Global search: an exact chain id or event jti answers with where to open it; anything else with suggestions by kind.",
    permission: "chains:read",
    query: ZSearchQuery,
    success: { status: 200, description: "where to go, or suggestions", mediaType: JSON_TYPE, schema: ZSearchAnswer },
  },
  {
    method: "get",
    path: "/api/v1/chains/{id}/report.pdf",
    operationId: "getChainReport",
    tag: "exports",
    summary: "The chain's audit report as PDF (?size=a4|letter).",
    permission: "chains:export",
    success: { status: 200, description: "a PDF", mediaType: PDF, binary: true },
    errors: [404],
  },
  {
    method: "get",
    path: "/api/v1/chains/{id}/export.csv",
    operationId: "exportChainCsv",
    tag: "exports",
    summary: "Every event of the chain, one RFC 4180 row each (?bom=1 for Excel).",
    permission: "chains:export",
    success: { status: 200, description: "CSV", mediaType: CSV },
    errors: [404],
  },
  {
    method: "get",
    path: "/api/v1/chains/{id}/evidence.json",
    operationId: "getEvidenceBundle",
    tag: "exports",
    summary: "The signed evidence bundle (delegraph-evidence/2) for `npx delegraph verify`.",
    permission: "chains:export",
    success: { status: 200, description: "the evidence bundle", mediaType: JSON_TYPE, schema: ZEvidenceBundle },
    errors: [404],
  },
  {
    method: "get",
    path: "/api/v1/exports/events.csv",
    operationId: "exportEventsCsv",
    tag: "exports",
    summary: "Every event of every chain the filters match, streamed as CSV.",
    permission: "chains:export",
    query: ZChainFilters,
    success: { status: 200, description: "CSV", mediaType: CSV },
  },
  {
    method: "get",
    path: "/api/v1/exports/summary.pdf",
    operationId: "exportSummaryPdf",
    tag: "exports",
    summary: "A period summary of the chains the filters match, as PDF (?size=a4|letter).",
    permission: "chains:export",
    query: ZChainFilters,
    success: { status: 200, description: "a PDF", mediaType: PDF, binary: true },
  },
  {
    method: "post",
    path: "/api/v1/principals",
    operationId: "createPrincipal",
    tag: "principals",
    summary: "Register a principal with its public keys.",
    permission: "principals:write",
    body: ZCreatePrincipal,
    success: { status: 201, description: "the principal as registered", mediaType: JSON_TYPE, schema: ZPrincipalCreated },
    errors: [409],
  },
  {
    method: "get",
    path: "/api/v1/principals",
    operationId: "listPrincipals",
    tag: "principals",
    summary: "Principals with key, chain and finding counts.",
    permission: "chains:read",
    query: ZPrincipalListQuery,
    success: { status: 200, description: "a page of principals", mediaType: JSON_TYPE, schema: ZPrincipalList },
  },
  {
    method: "get",
    path: "/api/v1/principals/{id}",
    operationId: "getPrincipal",
    tag: "principals",
    summary: "A principal, its keys and their status, its chains and findings.",
    permission: "chains:read",
    success: { status: 200, description: "the principal", mediaType: JSON_TYPE, schema: ZPrincipalDetail },
    errors: [404],
  },
  {
    method: "post",
    path: "/api/v1/principals/{id}/keys/{kid}/revoke",
    operationId: "revokeKey",
    tag: "principals",
    summary: "Revoke one key from `at` (default now); revoking again keeps the earlier time.",
    permission: "principals:write",
    body: ZRevokeKey,
    success: { status: 200, description: "the key, revoked", mediaType: JSON_TYPE, schema: ZKeyRevoked },
    errors: [404],
  },
  {
    method: "get",
    path: "/api/v1/findings",
    operationId: "listFindings",
    tag: "findings",
    summary: "Stored findings, newest first; code=missing_evidence lists the read-time ones.",
    permission: "chains:read",
    query: ZFindingsQuery,
    success: { status: 200, description: "a page of findings", mediaType: JSON_TYPE, schema: ZFindingList },
  },
  {
    method: "get",
    path: "/api/v1/stats",
    operationId: "getStats",
    tag: "overview",
    summary: "The overview figures.",
    permission: "chains:read",
    success: { status: 200, description: "the figures", mediaType: JSON_TYPE, schema: ZStats },
  },
  {
    method: "get",
    path: "/api/v1/ledger/verify",
    operationId: "verifyLedger",
    tag: "ledger",
    summary: "Re-walk the whole ledger and check every signed checkpoint of its head.",
    permission: "chains:read",
    success: { status: 200, description: "the verdict", mediaType: JSON_TYPE, schema: ZLedgerVerification },
  },
  {
    method: "get",
    path: "/api/v1/ledger/key",
    operationId: "getLedgerKey",
    tag: "ledger",
    summary: "The server's public signing key and the earlier ones.",
    permission: "chains:read",
    success: { status: 200, description: "the keys", mediaType: JSON_TYPE, schema: ZLedgerKey },
  },
  {
    method: "get",
    path: "/api/v1/quarantine",
    operationId: "listQuarantine",
    tag: "investigate",
    summary: "Rejected submissions with reason code, message and raw bytes.",
    permission: "quarantine:read",
    query: ZQuarantineQuery,
    success: { status: 200, description: "a page of rejected submissions", mediaType: JSON_TYPE, schema: ZQuarantinePage },
  },
  {
    method: "get",
    path: "/api/v1/investigate/resource",
    operationId: "investigateResource",
    tag: "investigate",
    summary: "Every invoke whose resource contains the text.",
    permission: "investigate",
    query: ZResourceQuery,
    success: { status: 200, description: "who touched the resource", mediaType: JSON_TYPE, schema: ZResourceInvestigation },
  },
  {
    method: "get",
    path: "/api/v1/investigate/principal",
    operationId: "investigatePrincipal",
    tag: "investigate",
    summary: "Everything a principal signed or received since T, and the chains involved.",
    permission: "investigate",
    query: ZPrincipalActivityQuery,
    success: { status: 200, description: "the principal's activity", mediaType: JSON_TYPE, schema: ZPrincipalInvestigation },
  },
  {
    method: "post",
    path: "/api/v1/tokens",
    operationId: "createToken",
    tag: "administration",
    summary: "Issue an API token; the token is in this answer only.",
    permission: "tokens:manage",
    body: ZCreateToken,
    success: { status: 201, description: "the token, shown once", mediaType: JSON_TYPE, schema: ZCreatedToken },
  },
  {
    method: "get",
    path: "/api/v1/tokens",
    operationId: "listTokens",
    tag: "administration",
    summary: "API tokens, without their secrets.",
    permission: "tokens:manage",
    success: { status: 200, description: "the tokens", mediaType: JSON_TYPE, schema: ZTokenList },
  },
  {
    method: "post",
    path: "/api/v1/tokens/{id}/revoke",
    operationId: "revokeToken",
    tag: "administration",
    summary: "The token stops working at once.",
    permission: "tokens:manage",
    success: { status: 200, description: "revoked", mediaType: JSON_TYPE, schema: ZRevokedToken },
    errors: [404],
  },
  {
    method: "get",
    path: "/api/v1/users",
    operationId: "listUsers",
    tag: "administration",
    summary: "Dashboard users.",
    permission: "users:manage",
    success: { status: 200, description: "the users", mediaType: JSON_TYPE, schema: ZUserList },
  },
  {
    method: "post",
    path: "/api/v1/users",
    operationId: "createUser",
    tag: "administration",
    summary: "Create a dashboard user with a password.",
    permission: "users:manage",
    body: ZCreateUser,
    success: { status: 201, description: "the user", mediaType: JSON_TYPE, schema: ZUser },
    errors: [409],
  },
  {
    method: "patch",
    path: "/api/v1/users/{id}",
    operationId: "updateUser",
    tag: "administration",
    summary: "Change a user's role or password, or disable them; ends their sessions.",
    permission: "users:manage",
    body: ZUpdateUser,
    success: { status: 200, description: "the user", mediaType: JSON_TYPE, schema: ZUser },
    errors: [404],
  },
  {
    method: "get",
    path: "/api/v1/audit",
    operationId: "listAudit",
    tag: "administration",
    summary: "The dashboard's own audit trail.",
    permission: "audit:read",
    query: ZAuditQuery,
    success: { status: 200, description: "a page of the audit trail", mediaType: JSON_TYPE, schema: ZAuditPage },
  },
  {
    method: "get",
    path: "/api/v1/openapi.json",
    operationId: "getOpenApi",
    tag: "meta",
    summary: "This document.",
    permission: null,
    success: { status: 200, description: "the OpenAPI 3.1 document", mediaType: JSON_TYPE },
  },
];
