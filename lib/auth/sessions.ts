// Dashboard sessions: a random cookie value whose SHA-256 is the session id, a per-session CSRF
// token, an expiry, and sign-in rate limiting by email and by client address.
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/http";
import { randomToken, sha256Hex, verifyPassword } from "@/lib/auth/secrets";
import { SESSION_COOKIE } from "@/lib/auth/authenticate";

const WINDOW_MS = 15 * 60 * 1000;
const MAX_FAILURES_PER_EMAIL = 5;
const MAX_FAILURES_PER_ADDRESS = 20;
// Verifying against a fixed hash when the user does not exist keeps timing the same either way.
const DUMMY_HASH = "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

export function clientAddress(req: Request): string {
  return req.headers.get("x-forwarded-for")?.split(",")[0].trim() || req.headers.get("x-real-ip") || "local";
}

export async function signIn(email: string, password: string, address: string) {
  const prisma = await db();
  const since = new Date(Date.now() - WINDOW_MS);
  const emailKey = `email:${email.toLowerCase()}`;
  const addressKey = `ip:${address}`;
  const [byEmail, byAddress] = await Promise.all([
    prisma.loginAttempt.count({ where: { key: emailKey, ok: false, at: { gte: since } } }),
    prisma.loginAttempt.count({ where: { key: addressKey, ok: false, at: { gte: since } } }),
  ]);
  if (byEmail >= MAX_FAILURES_PER_EMAIL || byAddress >= MAX_FAILURES_PER_ADDRESS) {
    throw new AppError("too_many_requests", "Too many failed sign-ins. Wait 15 minutes and try again.");
  }
  const user = await prisma.user.findUnique({ where: { email: email.toLowerCase() } });
  const ok = (await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH)) && !!user && !user.disabledAt;
  await prisma.loginAttempt.createMany({
    data: [
      { key: emailKey, ok },
      { key: addressKey, ok },
    ],
  });
  if (!ok || !user) throw new AppError("unauthorized", "Wrong email or password.");
  const value = randomToken();
  const csrf = randomToken();
  const expiresAt = new Date(Date.now() + env().DELEGRAPH_SESSION_HOURS * 3600 * 1000);
  await prisma.session.create({ data: { id: sha256Hex(value), userId: user.id, csrf, expiresAt } });
  await prisma.session.deleteMany({ where: { expiresAt: { lt: new Date() } } });
  return { value, csrf, expiresAt, user: { id: user.id, email: user.email, role: user.role } };
}

export async function signOut(value: string | null) {
  if (!value) return;
  const prisma = await db();
  await prisma.session.deleteMany({ where: { id: sha256Hex(value) } });
}

export function sessionCookie(value: string, expiresAt: Date, secure: boolean): string {
  const parts = [
    `${SESSION_COOKIE}=${value}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Lax",
    `Expires=${expiresAt.toUTCString()}`,
  ];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? "; Secure" : ""}`;
}

/** Behind https (directly or through a proxy that says so) cookies get the Secure flag. */
export function isHttps(req: Request): boolean {
  const forwarded = req.headers.get("x-forwarded-proto");
  if (forwarded) return forwarded.split(",")[0].trim() === "https";
  return new URL(req.url).protocol === "https:";
}

