// Authentication for /api/v1: a Bearer token (API tokens, or the bootstrap DELEGRAPH_API_TOKEN),
// or the dashboard's session cookie. Cookie-authenticated writes must carry the session's CSRF token.
import type { NextRequest } from "next/server";
import { stores } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/http";
import { can, type TPermission, type TRole } from "@/lib/auth/roles";
import { safeEqual, sha256Hex } from "@/lib/auth/secrets";

export const SESSION_COOKIE = "delegraph_session";
export const CSRF_HEADER = "x-csrf-token";

export type TActor = {
  kind: "token" | "session";
  id: string; // token id or user id
  name: string; // token name or user email
  role: TRole;
};

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

async function actorFromBearer(token: string): Promise<TActor | null> {
  const bootstrap = env().DELEGRAPH_API_TOKEN;
  if (bootstrap && safeEqual(sha256Hex(token), sha256Hex(bootstrap))) {
    return { kind: "token", id: "bootstrap", name: "DELEGRAPH_API_TOKEN", role: "admin" };
  }
  const row = await (await stores()).auth.tokenByHash(sha256Hex(token));
  if (!row || row.revokedAt) return null;
  return { kind: "token", id: row.id, name: row.name, role: row.role as TRole };
}

export async function actorFromSessionCookie(value: string | null): Promise<(TActor & { csrf: string }) | null> {
  if (!value) return null;
  const session = await (await stores()).auth.session(sha256Hex(value));
  if (!session || session.expiresAt.getTime() <= Date.now() || session.user.disabledAt) return null;
  return { kind: "session", id: session.user.id, name: session.user.email, role: session.user.role as TRole, csrf: session.csrf };
}

/** Authenticates, then authorizes `permission`. Throws 401 or 403 as an AppError. */
export async function requireActor(req: NextRequest, permission: TPermission): Promise<TActor> {
  const authz = req.headers.get("authorization");
  let actor: TActor | null = null;
  if (authz !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authz);
    if (match) actor = await actorFromBearer(match[1]);
  } else {
    const session = await actorFromSessionCookie(req.cookies.get(SESSION_COOKIE)?.value ?? null);
    if (session && !SAFE_METHODS.has(req.method)) {
      const sent = req.headers.get(CSRF_HEADER) ?? "";
      if (!safeEqual(sent, session.csrf)) throw new AppError("forbidden", "Missing or wrong CSRF token.");
    }
    actor = session;
  }
  if (!actor) throw new AppError("unauthorized", "A valid Bearer token or session is required.");
  if (!can(actor.role, permission)) {
    throw new AppError("forbidden", `The ${actor.role} role may not do this (${permission}).`);
  }
  return actor;
}
