// Dashboard sessions: a random cookie value whose SHA-256 is the session id, a per-session CSRF
// token, an expiry, and sign-in limits by account and by client address (sign-in-throttle.ts).
import type { NextResponse } from "next/server";
import { z } from "zod";
import { stores } from "@/lib/db";
import { env } from "@/lib/env";
import { randomToken, sha256Hex, verifyPassword } from "@/lib/auth/secrets";
import { SESSION_COOKIE } from "@/lib/auth/authenticate";
import { claimAttempt, clearAttempts, FREE_ATTEMPTS, pruneAttempts, uncountAttempt } from "@/lib/auth/sign-in-throttle";

// Verifying against a fixed hash when the user does not exist keeps timing the same either way.
const DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/**
 * The throttle and audit key of what was typed as the email. Something that is not an email
 * address is never stored as typed (it may be a password pasted into the wrong field): it is
 * keyed and shown by a short hash.
 */
export function emailKey(typed: string): { key: string; shown: string } {
  const lower = typed.trim().toLowerCase();
  if (z.email().safeParse(lower).success) return { key: `email:${lower}`, shown: lower };
  const digest = sha256Hex(lower).slice(0, 16);
  return { key: `email#${digest}`, shown: `(not an email address, sha256 ${digest}…)` };
}

export type TSignInResult =
  | { outcome: "refused"; retryAfter: number; shown: string }
  | { outcome: "wrong"; shown: string }
  | { outcome: "ok"; shown: string; value: string; csrf: string; expiresAt: Date; user: { id: string; email: string; role: string } };

/**
 * Counts the attempt against the account and the client address first (lib/auth/sign-in-throttle.ts),
 * then checks the password. `shown` is how the typed email may be recorded (see emailKey).
 */
export async function signIn(email: string, password: string, address: string): Promise<TSignInResult> {
  const now = Date.now() / 1000;
  const account = emailKey(email);
  const byEmail = await claimAttempt(account.key, FREE_ATTEMPTS.email, now);
  if (!byEmail.ok) return { outcome: "refused", retryAfter: byEmail.retryAfter, shown: account.shown };
  const byAddress = await claimAttempt(`ip:${address}`, FREE_ATTEMPTS.address, now);
  if (!byAddress.ok) return { outcome: "refused", retryAfter: byAddress.retryAfter, shown: account.shown };
  void pruneAttempts(now).catch((e) => console.error("[delegraph] pruning sign-in attempts failed", e));

  const store = (await stores()).auth;
  const user = account.key.startsWith("email:") ? await store.userByEmail(account.shown) : null;
  const ok = (await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH)) && !!user && !user.disabledAt;
  if (!ok || !user) return { outcome: "wrong", shown: account.shown };
  await Promise.all([clearAttempts(account.key), uncountAttempt(`ip:${address}`)]);
  return { outcome: "ok", shown: account.shown, ...(await startSession(user)) };
}

/** A new session for a user who proved who they are (password here, single sign-on in oidc.ts). */
export async function startSession(user: { id: string; email: string; role: string }) {
  const store = (await stores()).auth;
  const value = randomToken();
  const csrf = randomToken();
  const expiresAt = new Date(Date.now() + env().DELEGRAPH_SESSION_HOURS * 3600 * 1000);
  await store.createSession({ id: sha256Hex(value), userId: user.id, csrf, expiresAt });
  await store.deleteExpiredSessions(new Date());
  return { value, csrf, expiresAt, user: { id: user.id, email: user.email, role: user.role } };
}

export async function signOut(value: string | null) {
  if (!value) return;
  await (await stores()).auth.deleteSession(sha256Hex(value));
}

/** Sets the session cookie on a response: HttpOnly, SameSite=Lax, Secure behind https. */
export function setSessionCookie(res: NextResponse, value: string, expiresAt: Date, secure: boolean): NextResponse {
  res.cookies.set(SESSION_COOKIE, value, { path: "/", httpOnly: true, sameSite: "lax", expires: expiresAt, secure });
  return res;
}

export function clearSessionCookie(res: NextResponse, secure: boolean): NextResponse {
  res.cookies.set(SESSION_COOKIE, "", { path: "/", httpOnly: true, sameSite: "lax", maxAge: 0, secure });
  return res;
}

/** Behind https (directly or through a proxy that says so) cookies get the Secure flag. */
export function isHttps(req: Request): boolean {
  const forwarded = req.headers.get("x-forwarded-proto");
  if (forwarded) return forwarded.split(",")[0].trim() === "https";
  return new URL(req.url).protocol === "https:";
}

/**
 * Login CSRF: a browser says where a request comes from (Sec-Fetch-Site, else Origin), and a
 * sign-in from any other site is refused, so no page can sign a victim into an attacker's account.
 * A client that sends neither is not a browser and cannot be driven cross-site.
 */
export function isSameOriginRequest(req: Request): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin" || site === "none";
  const origin = req.headers.get("origin");
  if (origin === null) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false; // "null" and other opaque origins
  }
  // Behind a proxy the Host header may be the internal name; a cross-site page cannot set either.
  return host === req.headers.get("host") || host === req.headers.get("x-forwarded-host");
}
