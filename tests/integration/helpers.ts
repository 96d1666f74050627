// The integration suite's builders over the one home of test keys and tokens
// (lib/protocol/test-helpers.ts), and a client for the test server.
import { inject } from "vitest";
import { makeKey as makeTestKey, rawToken, signToken as signWithKey, type TTestKey } from "@/lib/protocol/test-helpers";

export type TKey = TTestKey & { alg: "EdDSA" | "ES256" };

let counter = 0;
export function uid(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

export function makeKey(alg: "EdDSA" | "ES256" = "EdDSA"): TKey {
  return { ...makeTestKey(alg === "EdDSA" ? "Ed25519" : "P-256", uid("k")), alg };
}

/** Claims with `v: 1`, signed with the key's alg and kid; `header` overrides or adds members. */
export function signToken(claims: Record<string, unknown>, key: TKey, header: Record<string, unknown> = {}): string {
  return signWithKey(key, { v: 1, ...claims }, { alg: key.alg, ...header });
}

export function unsignedToken(header: Record<string, unknown>, claims: Record<string, unknown>, sig = ""): string {
  return rawToken(header, claims, sig);
}

export const now = () => Math.floor(Date.now() / 1000);

export async function api(path: string, init: RequestInit & { token?: string | null; json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? inject("apiToken") : init.token;
  if (token) headers.set("authorization", `Bearer ${token}`);
  let body = init.body;
  if (init.json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(init.json);
  }
  const res = await fetch(inject("serverUrl") + path, { ...init, headers, body });
  const text = await res.text();
  let data: any = text;
  try {
    data = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, data, headers: res.headers };
}

export async function register(kind: "human" | "agent" | "tool" | "attester", alg: "EdDSA" | "ES256" = "EdDSA") {
  const id = `${kind}:${uid(kind)}`;
  const key = makeKey(alg);
  const res = await api("/api/v1/principals", { method: "POST", json: { id, kind, keys: [key.publicJwk] } });
  if (res.status !== 201) throw new Error(`register failed ${res.status} ${JSON.stringify(res.data)}`);
  return { id, key };
}

export type TPrincipal = Awaited<ReturnType<typeof register>>;

export async function post(tokens: unknown[]) {
  const res = await api("/api/v1/events", { method: "POST", json: { events: tokens } });
  if (res.status !== 200) throw new Error(`ingest failed ${res.status} ${JSON.stringify(res.data)}`);
  return res.data.results as {
    jti: string | null;
    status: string;
    chain?: string;
    findings: { code: string; severity: string; message: string }[];
    error?: { code: string; message: string };
  }[];
}

export async function chain(id: string) {
  const res = await api(`/api/v1/chains/${encodeURIComponent(id)}`);
  if (res.status !== 200) throw new Error(`chain read failed ${res.status} ${JSON.stringify(res.data)}`);
  return res.data;
}

export const codes = (r: { findings: { code: string }[] }) => r.findings.map((f) => f.code).sort();

/** Claim builders with sensible defaults. */
export function authorizeClaims(human: string, aud: string, extra: Record<string, unknown> = {}) {
  const jti = uid("auth");
  return {
    kind: "authorize",
    jti,
    chain: jti,
    iss: human,
    aud,
    iat: now() - 60,
    exp: now() + 3600,
    scope: ["finance/*:read", "mail/outbox:send"],
    purpose: { code: "finance.reporting", text: "Quarterly reporting" },
    ...extra,
  };
}

export function delegateClaims(parent: { jti: string; chain: string }, iss: string, aud: string, extra: Record<string, unknown> = {}) {
  return {
    kind: "delegate",
    jti: uid("del"),
    chain: parent.chain,
    parent: parent.jti,
    iss,
    aud,
    iat: now() - 30,
    exp: now() + 1800,
    scope: ["finance/q1/*:read"],
    purpose: { code: "finance.reporting.q1", text: "Q1 summary" },
    ...extra,
  };
}

export function invokeClaims(grant: { jti: string; chain: string }, iss: string, extra: Record<string, unknown> = {}) {
  return {
    kind: "invoke",
    jti: uid("inv"),
    chain: grant.chain,
    grant: grant.jti,
    iss,
    iat: now() - 10,
    action: "finance/q1/revenue:read",
    resource: "db://finance/q1/revenue",
    ...extra,
  };
}

export function completeClaims(grant: { jti: string; chain: string }, iss: string, extra: Record<string, unknown> = {}) {
  return {
    kind: "complete",
    jti: uid("cmp"),
    chain: grant.chain,
    grant: grant.jti,
    iss,
    iat: now() - 5,
    status: "completed",
    result_hash: "sha256:" + "ab".repeat(32),
    ...extra,
  };
}
