// POST /api/auth/sign-out — ends the session (needs its CSRF token) and clears the cookie.
import { actorFromSessionCookie, CSRF_HEADER, SESSION_COOKIE } from "@/lib/auth/authenticate";
import { clearSessionCookie, isHttps, signOut } from "@/lib/auth/sessions";
import { safeEqual } from "@/lib/auth/secrets";
import { errorResponse, handleApiError, json } from "@/lib/http";
import { recordAudit } from "@/lib/audit";
import type { NextRequest } from "next/server";

export const dynamic = "force-dynamic";

export async function POST(req: NextRequest) {
  try {
    const value = req.cookies.get(SESSION_COOKIE)?.value ?? null;
    const actor = await actorFromSessionCookie(value);
    if (actor) {
      if (!safeEqual(req.headers.get(CSRF_HEADER) ?? "", actor.csrf)) return errorResponse("forbidden", "Missing or wrong CSRF token.");
      await signOut(value);
      await recordAudit(actor, "auth.sign_out", actor.name);
    }
    return clearSessionCookie(json({ ok: true }), isHttps(req));
  } catch (error) {
    return handleApiError(error);
  }
}
