// GET /api/auth/me — the signed-in user and the session's CSRF token, or 401.
import type { NextRequest } from "next/server";
import { actorFromSessionCookie, SESSION_COOKIE } from "@/lib/auth/authenticate";
import { errorResponse, handleApiError, json } from "@/lib/http";

export const dynamic = "force-dynamic";

export async function GET(req: NextRequest) {
  try {
    const actor = await actorFromSessionCookie(req.cookies.get(SESSION_COOKIE)?.value ?? null);
    if (!actor) return errorResponse("unauthorized", "Not signed in.");
    // The CSRF token is a secret of this session: no cache may keep the answer.
    return json({ user: { id: actor.id, email: actor.name, role: actor.role }, csrfToken: actor.csrf }, { headers: { "cache-control": "no-store" } });
  } catch (error) {
    return handleApiError(error);
  }
}
