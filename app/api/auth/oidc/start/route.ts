// GET /api/auth/oidc/start?next=<path> — starts a single sign-on (lib/auth/oidc.ts): remembers the
// PKCE verifier, state and nonce, and redirects the browser to the identity provider. 404 when
// single sign-on is not configured. A provider that cannot be reached sends the browser back to
// the sign-in page with an error, never a blank 500.
import { NextResponse } from "next/server";
import { errorResponse } from "@/lib/http";
import { beginSignOn, publicOrigin, ssoSettings } from "@/lib/auth/oidc";
import { safeNext } from "@/lib/ui/fetcher";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  if (!ssoSettings().enabled) return errorResponse("not_found", "Single sign-on is not configured on this server.");
  const next = safeNext(new URL(req.url).searchParams.get("next"));
  try {
    const url = await beginSignOn(req, next);
    return NextResponse.redirect(url, { status: 303, headers: { "cache-control": "no-store" } });
  } catch (error) {
    console.error("[delegraph] single sign-on could not start", error);
    return NextResponse.redirect(`${publicOrigin(req)}/sign-in?error=sso_failed&next=${encodeURIComponent(next)}`, 303);
  }
}
