// For server components: the signed-in user of this request, or a redirect to /sign-in.
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import type { TUserRole } from "@/lib/contracts/auth";
import { actorFromSessionCookie, SESSION_COOKIE } from "@/lib/auth/authenticate";

export async function requirePageSession(nextPath?: string) {
  const jar = await cookies();
  const actor = await actorFromSessionCookie(jar.get(SESSION_COOKIE)?.value ?? null);
  if (!actor) redirect(nextPath ? `/sign-in?next=${encodeURIComponent(nextPath)}` : "/sign-in");
  // A session belongs to a user, and users hold user roles only (the ingest role is for tokens).
  return { id: actor.id, email: actor.name, role: actor.role as TUserRole, csrfToken: actor.csrf };
}

/** The CSP nonce the proxy made for this request (Next applies it to its own scripts). */
export async function requestNonce(): Promise<string | undefined> {
  return (await headers()).get("x-nonce") ?? undefined;
}
