// POST /api/auth/sign-in — {email, password} (JSON or form) → session cookie. Anyone may call it,
// but only from this site: a cross-site form post (login CSRF) is refused by its Origin or
// Sec-Fetch-Site. Every attempt is counted before the password is checked, per account and per
// client address (lib/auth/sign-in-throttle.ts); a refused one answers 429 with Retry-After.
import { AppError, assertStorableText, errorResponse, handleApiError, json, readBodyText } from "@/lib/http";
import { isHttps, isSameOriginRequest, setSessionCookie, signIn } from "@/lib/auth/sessions";
import { ZSignIn } from "@/lib/contracts/auth";
import { requestAddress } from "@/lib/auth/request-address";
import { recordAudit, recordFailedSignIn } from "@/lib/audit";
import { ssoSettings } from "@/lib/auth/oidc";

export const dynamic = "force-dynamic";

export async function POST(req: Request) {
  try {
    const sso = ssoSettings();
    // DELEGRAPH_PASSWORD_SIGN_IN=0: everyone signs in through the identity provider.
    if (!sso.passwordSignIn) throw new AppError("forbidden", `Password sign-in is turned off on this server: sign in with ${sso.name}.`);
    if (!isSameOriginRequest(req))
      throw new AppError("forbidden", "Sign in from the Delegraph sign-in page: cross-site sign-in requests are refused.");
    const text = await readBodyText(req, 16 * 1024);
    const type = (req.headers.get("content-type") ?? "").split(";")[0].trim();
    let raw: unknown;
    if (type === "application/x-www-form-urlencoded") raw = Object.fromEntries(new URLSearchParams(text));
    else {
      try {
        raw = JSON.parse(text);
      } catch {
        throw new AppError("invalid_request", "Body is not valid JSON.");
      }
    }
    assertStorableText(raw);
    const { email, password } = ZSignIn.parse(raw);
    const address = requestAddress(req);
    const result = await signIn(email, password, address);
    if (result.outcome === "refused") {
      await recordFailedSignIn(result.shown, address, "throttled");
      return errorResponse(
        "too_many_requests",
        `Too many sign-in attempts for this account or from this address. Try again in ${result.retryAfter} s.`,
        { "retry-after": String(result.retryAfter), "cache-control": "no-store" },
      );
    }
    if (result.outcome === "wrong") {
      await recordFailedSignIn(result.shown, address, "wrong_password");
      throw new AppError("unauthorized", "Wrong email or password.");
    }
    await recordAudit(`user:${result.user.email}`, "auth.sign_in", result.user.email, { address });
    return setSessionCookie(
      json({ user: result.user, csrfToken: result.csrf }, { headers: { "cache-control": "no-store" } }),
      result.value,
      result.expiresAt,
      isHttps(req),
    );
  } catch (error) {
    return handleApiError(error);
  }
}
