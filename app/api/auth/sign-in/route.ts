// POST /api/auth/sign-in — {email, password} (JSON or form) → session cookie. Anyone may call it;
// failures are rate-limited per email and per client address.
import { z } from "zod";
import { AppError, assertStorableText, handleApiError, json, readBodyText } from "@/lib/http";
import { clientAddress, isHttps, sessionCookie, signIn } from "@/lib/auth/sessions";
import { recordAudit } from "@/lib/audit";

export const dynamic = "force-dynamic";

const ZSignIn = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1000) });

export async function POST(req: Request) {
  try {
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
    const address = clientAddress(req);
    try {
      const session = await signIn(email, password, address);
      await recordAudit(`user:${session.user.email}`, "auth.sign_in", session.user.email, { address });
      return json(
        { user: session.user, csrfToken: session.csrf },
        { headers: { "set-cookie": sessionCookie(session.value, session.expiresAt, isHttps(req)) } },
      );
    } catch (e) {
      if (e instanceof AppError) await recordAudit(`anonymous`, "auth.sign_in_failed", email.toLowerCase(), { address, reason: e.code });
      throw e;
    }
  } catch (error) {
    return handleApiError(error);
  }
}
