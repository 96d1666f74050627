// First-start credentials. Nothing secret is stored in clear: a generated API token or admin
// password is printed once and only its hash is kept.
import { randomUUID } from "node:crypto";
import { stores } from "@/lib/db";
import type { TEnv } from "@/lib/env";
import { hashPassword, randomToken, sha256Hex } from "@/lib/auth/secrets";
import type { TRole } from "@/lib/contracts/auth";
import type { TCreatedToken } from "@/lib/contracts/admin";
import { recordAudit } from "@/lib/audit";

export const BOOTSTRAP_TOKEN_NAME = "bootstrap";

/** Creates an API token row and returns the token (shown to its owner once). */
export async function createApiToken(name: string, role: TRole, createdBy: string | null, id: string = randomUUID()): Promise<TCreatedToken> {
  const token = randomToken("dgt_");
  const row = await (await stores()).auth.createToken({ id, name, role, hash: sha256Hex(token), createdBy });
  return { id: row.id, name: row.name, role: row.role as TRole, createdAt: row.createdAt.toISOString(), token };
}

const isUniqueViolation = (e: unknown) => (e as { code?: unknown } | null)?.code === "P2002";

/**
 * The generated bootstrap token has a fixed id, so when several instances start together on an
 * empty database exactly one of them creates (and prints) it.
 */
export async function ensureBootstrapToken(config: TEnv): Promise<string | null> {
  if (config.DELEGRAPH_API_TOKEN) return null;
  if (await (await stores()).auth.findBootstrapToken(BOOTSTRAP_TOKEN_NAME, BOOTSTRAP_TOKEN_NAME, "first start")) return null;
  try {
    return (await createApiToken(BOOTSTRAP_TOKEN_NAME, "admin", "first start", BOOTSTRAP_TOKEN_NAME)).token;
  } catch (e) {
    if (isUniqueViolation(e)) return null;
    throw e;
  }
}

/**
 * Claims the one-time demo seeding for this database: a fixed-id row that only one instance can
 * create. Its token is the seeder's credential and is revoked once the demo is in.
 */
export async function claimDemoSeeding() {
  try {
    return await createApiToken("demo seeder", "admin", "npm start", "demo-seeder");
  } catch (e) {
    if (isUniqueViolation(e)) return null;
    throw e;
  }
}

/**
 * The first admin. With DELEGRAPH_ADMIN_EMAIL/PASSWORD set, that admin is created when no user has
 * that email; an existing account is left exactly as it is, so a start never re-enables a disabled
 * admin, re-promotes a demoted one or undoes a password change. With none set and no users at
 * all, an admin with a random password is created and the password returned once. Either
 * creation is a row of the self-audit.
 */
export async function ensureBootstrapAdmin(config: TEnv): Promise<{ email: string; password: string } | null> {
  const store = (await stores()).auth;
  const email = config.DELEGRAPH_ADMIN_EMAIL?.toLowerCase();
  const fromEnv = Boolean(email && config.DELEGRAPH_ADMIN_PASSWORD);
  if (fromEnv ? await store.userByEmail(email!) : (await store.userCount()) > 0) return null;
  const password = fromEnv ? config.DELEGRAPH_ADMIN_PASSWORD! : randomToken().slice(0, 20);
  const adminEmail = email ?? "admin@delegraph.local";
  try {
    await store.createUser({ id: randomUUID(), email: adminEmail, name: null, role: "admin", passwordHash: await hashPassword(password) });
  } catch (e) {
    if (isUniqueViolation(e)) return null; // another instance starting at the same time made it
    throw e;
  }
  await recordAudit("system", "user.bootstrap_admin", adminEmail, {
    source: fromEnv ? "DELEGRAPH_ADMIN_EMAIL/DELEGRAPH_ADMIN_PASSWORD" : "generated",
  });
  return fromEnv ? null : { email: adminEmail, password };
}
