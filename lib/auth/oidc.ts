// Single sign-on through an OpenID Connect provider: the authorization code flow with PKCE (S256),
// state and nonce, through openid-client. Configured by DELEGRAPH_OIDC_ISSUER, _CLIENT_ID and
// _CLIENT_SECRET; the redirect URI to register is <public URL>/api/auth/oidc/callback.
//
// At every sign-on the role claim (of the ID token, else of userinfo) decides the role
// (oidc-roles.ts), so a change at the provider takes effect at the user's next sign-on; a user with
// no mapped value is refused, and so is one an admin disabled here. Users are made just in time,
// keyed by the provider's (iss, sub); a first sign-on whose verified email belongs to an existing
// user without an identity links to that user. Users made here have no usable password.
import * as client from "openid-client";
import { randomUUID } from "node:crypto";
import type { TUserRole } from "@/lib/contracts/auth";
import { stores } from "@/lib/db";
import { env } from "@/lib/env";
import { claimValues, roleFromClaims } from "./oidc-roles";
import { startSession } from "./sessions";

export const OIDC_CALLBACK_PATH = "/api/auth/oidc/callback";
/** No password verifies against it (lib/auth/secrets.ts verifyPassword needs a scrypt$ hash). */
export const NO_PASSWORD = "!sso";
const LOGIN_TTL_MS = 10 * 60 * 1000;

export type TSsoDenial = "sso_failed" | "sso_denied" | "sso_no_role" | "sso_no_email" | "sso_disabled" | "sso_expired";

/** What the sign-in page shows for each refusal (the code travels in ?error=). */
export const SSO_DENIAL_TEXT: Record<TSsoDenial, string> = {
  sso_failed: "Single sign-on did not complete. Try again; if it keeps failing, ask an administrator to check the server's log.",
  sso_denied: "The identity provider did not sign you in.",
  sso_no_role: "Your account at the identity provider has no Delegraph role. Ask an administrator for access.",
  sso_no_email: "The identity provider did not give a verified email address for your account.",
  sso_disabled: "Your Delegraph account is disabled.",
  sso_expired: "The sign-on took too long or was already used. Start again.",
};

export function ssoSettings(): { enabled: boolean; name: string; passwordSignIn: boolean } {
  const e = env();
  return { enabled: !!e.DELEGRAPH_OIDC_ISSUER, name: e.DELEGRAPH_OIDC_NAME, passwordSignIn: e.DELEGRAPH_PASSWORD_SIGN_IN };
}

function isLoopback(url: URL): boolean {
  return url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
}

let discovered: Promise<client.Configuration> | null = null;

/** The provider's metadata, discovered once (again after a failure). Plain http only on loopback. */
async function configuration(): Promise<client.Configuration> {
  const e = env();
  if (!e.DELEGRAPH_OIDC_ISSUER || !e.DELEGRAPH_OIDC_CLIENT_ID || !e.DELEGRAPH_OIDC_CLIENT_SECRET) throw new Error("single sign-on is not configured");
  const issuer = new URL(e.DELEGRAPH_OIDC_ISSUER);
  discovered ??= client
    .discovery(issuer, e.DELEGRAPH_OIDC_CLIENT_ID, e.DELEGRAPH_OIDC_CLIENT_SECRET, undefined, {
      execute: issuer.protocol === "http:" && isLoopback(issuer) ? [client.allowInsecureRequests] : [],
      timeout: 10,
    })
    .catch((error: unknown) => {
      discovered = null;
      throw error;
    });
  return discovered;
}

/**
 * Where browsers reach this server: DELEGRAPH_PUBLIC_URL, else the Host the request was sent to
 * (Next may rewrite req.url's host to localhost), with the scheme a proxy says it received.
 */
export function publicOrigin(req: Request): string {
  const configured = env().DELEGRAPH_PUBLIC_URL;
  if (configured) return configured.replace(/\/+$/, "");
  const url = new URL(req.url);
  const proto = req.headers.get("x-forwarded-proto")?.split(",")[0].trim() || url.protocol.slice(0, -1);
  return `${proto}://${req.headers.get("host") ?? url.host}`;
}

/** Starts a sign-on: remembers state, nonce and the PKCE verifier, and gives the provider's URL. */
export async function beginSignOn(req: Request, returnTo: string): Promise<URL> {
  const config = await configuration();
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const store = (await stores()).auth;
  await store.deleteExpiredOidcLogins(new Date());
  await store.createOidcLogin({ state, codeVerifier, nonce, returnTo, expiresAt: new Date(Date.now() + LOGIN_TTL_MS) });
  return client.buildAuthorizationUrl(config, {
    redirect_uri: publicOrigin(req) + OIDC_CALLBACK_PATH,
    scope: "openid email profile",
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
}

export type TSignOnResult =
  | { outcome: "ok"; returnTo: string; email: string; created: boolean; session: Awaited<ReturnType<typeof startSession>> }
  | { outcome: "denied"; code: TSsoDenial; detail: string; email?: string };

/** The provider sent the browser back: check everything, then find or make the user and sign them in. */
export async function finishSignOn(req: Request): Promise<TSignOnResult> {
  const e = env();
  const incoming = new URL(req.url);
  // What the provider redirected to, as registered: the public origin with this path and query.
  const callback = new URL(publicOrigin(req) + OIDC_CALLBACK_PATH + incoming.search);
  const state = callback.searchParams.get("state") ?? "";
  const store = (await stores()).auth;
  const login = state ? await store.takeOidcLogin(state, new Date()) : null;
  if (!login) return { outcome: "denied", code: "sso_expired", detail: "unknown, used or expired state" };
  const providerError = callback.searchParams.get("error");
  if (providerError) return { outcome: "denied", code: "sso_denied", detail: `provider answered ${providerError}` };

  let claims: Record<string, unknown>;
  try {
    const config = await configuration();
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: login.codeVerifier,
      expectedState: state,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    });
    claims = { ...(tokens.claims() ?? {}) };
    // Providers that keep to OpenID Connect's rule for the code flow (oidc-provider's default, for
    // one) give email, profile and custom claims at the userinfo endpoint, not in the ID token.
    const missing = typeof claims.email !== "string" || claimValues(claims, e.DELEGRAPH_OIDC_ROLE_CLAIM).length === 0;
    if (missing && config.serverMetadata().userinfo_endpoint) {
      const info = await client.fetchUserInfo(config, tokens.access_token, String(claims.sub));
      // The ID token's own claims (iss, sub, nonce and any it carries) win over userinfo's.
      claims = { ...info, ...claims };
    }
  } catch (error) {
    console.error("[delegraph] single sign-on failed", error);
    return { outcome: "denied", code: "sso_failed", detail: error instanceof Error ? error.message : String(error) };
  }

  const issuer = String(claims.iss);
  const subject = String(claims.sub);
  const email = typeof claims.email === "string" ? claims.email.trim().toLowerCase() : "";
  if (!email || claims.email_verified === false) return { outcome: "denied", code: "sso_no_email", detail: `subject ${subject}` };
  const role: TUserRole | null = roleFromClaims(claims, e.DELEGRAPH_OIDC_ROLE_CLAIM, e.DELEGRAPH_OIDC_ROLES);
  if (!role) return { outcome: "denied", code: "sso_no_role", detail: `claim ${e.DELEGRAPH_OIDC_ROLE_CLAIM} maps to no role`, email };

  const identity = await store.identity(issuer, subject);
  let user = identity ? await store.user(identity.userId) : null;
  let created = false;
  if (!user) {
    const byEmail = await store.userByEmail(email);
    const name = typeof claims.name === "string" ? claims.name.trim().slice(0, 200) || null : null;
    user = byEmail ?? (await store.createUser({ id: randomUUID(), email, name, role, passwordHash: NO_PASSWORD }));
    created = !byEmail;
    await store.createIdentity({ issuer, subject, userId: user.id });
  }
  if (user.disabledAt) return { outcome: "denied", code: "sso_disabled", detail: "disabled in Delegraph", email: user.email };
  if (user.role !== role) user = await store.updateUser(user.id, { role });
  await store.touchIdentity(issuer, subject, new Date());
  return { outcome: "ok", returnTo: login.returnTo, email: user.email, created, session: await startSession(user) };
}
