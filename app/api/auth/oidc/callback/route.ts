// GET /api/auth/oidc/callback?code&state — where the identity provider sends the browser back
// (register <public URL>/api/auth/oidc/callback with it). Checks state, PKCE, nonce and the ID
// token (openid-client), maps the role claim, finds or makes the user, and sets the session
// cookie; a refusal goes back to the sign-in page with ?error=<code> (lib/auth/oidc.ts). Every
// outcome is in the self-audit.
import { NextResponse } from "next/server";
import { finishSignOn, publicOrigin, ssoSettings } from "@/lib/auth/oidc";
import { requestAddress } from "@/lib/auth/request-address";
import { isHttps, setSessionCookie } from "@/lib/auth/sessions";
import { errorResponse } from "@/lib/http";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

export async function GET(req: Request) {
  if (!ssoSettings().enabled) return errorResponse("not_found", "Single sign-on is not configured on this server.");
  const origin = publicOrigin(req);
  const address = requestAddress(req);
  const result = await finishSignOn(req);
  if (result.outcome === "denied") {
    await recordAudit("sso", "auth.sso_refused", result.email, { code: result.code, detail: result.detail, address });
    return NextResponse.redirect(`${origin}/sign-in?error=${result.code}`, { status: 303, headers: { "cache-control": "no-store" } });
  }
  const { session } = result;
  if (result.created) await recordAudit("sso", "user.create", session.user.email, { role: session.user.role, via: "oidc" });
  await recordAudit(`user:${session.user.email}`, "auth.sign_in", session.user.email, { address, via: "oidc", role: session.user.role });
  const res = NextResponse.redirect(origin + result.returnTo, { status: 303, headers: { "cache-control": "no-store" } });
  return setSessionCookie(res, session.value, session.expiresAt, isHttps(req) || origin.startsWith("https:"));
}
