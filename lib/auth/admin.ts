// Admin operations: API tokens and dashboard users. Secrets are stored hashed and shown once.
import { randomUUID } from "node:crypto";
import { stores } from "@/lib/db";
import { AppError } from "@/lib/http";
import { hashPassword } from "@/lib/auth/secrets";
import { passwordProblem } from "@/lib/auth/passwords";
import { createApiToken } from "@/lib/auth/bootstrap";
import type { TActor } from "@/lib/auth/authenticate";
import type { TRole, TUserRole } from "@/lib/contracts/auth";
import type {
  TApiToken,
  TCreatedToken,
  TCreateToken,
  TCreateUser,
  TRevokedToken,
  TTokenList,
  TUpdateUser,
  TUser,
  TUserList,
} from "@/lib/contracts/admin";
import type { TUserRecord } from "@/lib/db/stores/auth";

export async function issueToken(input: TCreateToken, actor: TActor): Promise<TCreatedToken> {
  return createApiToken(input.name, input.role, `${actor.kind}:${actor.name}`);
}

export async function listTokens(): Promise<TTokenList> {
  const rows = await (await stores()).auth.tokens();
  return {
    items: rows.map((t): TApiToken => ({
      id: t.id,
      name: t.name,
      role: t.role as TRole,
      createdAt: t.createdAt.toISOString(),
      createdBy: t.createdBy,
      revokedAt: t.revokedAt?.toISOString() ?? null,
    })),
  };
}

export async function revokeToken(id: string): Promise<TRevokedToken> {
  const store = (await stores()).auth;
  const row = await store.token(id);
  if (!row) throw new AppError("not_found", `No token ${id}.`);
  const updated = await store.setTokenRevokedAt(id, row.revokedAt ?? new Date());
  return { id: updated.id, revokedAt: updated.revokedAt!.toISOString() };
}

function userView(u: TUserRecord): TUser {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role as TUserRole,
    createdAt: u.createdAt.toISOString(),
    disabledAt: u.disabledAt?.toISOString() ?? null,
  };
}

/** The schema checks the length; the common-password list lives on the server only. */
function checkPassword(password: string | undefined): void {
  const problem = password === undefined ? null : passwordProblem(password);
  if (problem) throw new AppError("invalid_request", `password: ${problem}`);
}

export async function listUsers(): Promise<TUserList> {
  return { items: (await (await stores()).auth.users()).map(userView) };
}

export async function createUser(input: TCreateUser): Promise<TUser> {
  checkPassword(input.password);
  const store = (await stores()).auth;
  const email = input.email.toLowerCase();
  if (await store.userByEmail(email)) throw new AppError("conflict", `User ${email} already exists.`);
  const user = await store.createUser({
    id: randomUUID(),
    email,
    name: input.name ?? null,
    role: input.role,
    passwordHash: await hashPassword(input.password),
  });
  return userView(user);
}

export async function updateUser(id: string, input: TUpdateUser): Promise<TUser> {
  checkPassword(input.password);
  const store = (await stores()).auth;
  if (!(await store.user(id))) throw new AppError("not_found", `No user ${id}.`);
  const user = await store.updateUser(id, {
    ...(input.role ? { role: input.role } : {}),
    ...(input.password ? { passwordHash: await hashPassword(input.password) } : {}),
    ...(input.disabled === undefined ? {} : { disabledAt: input.disabled ? new Date() : null }),
  });
  // A changed password, role or a disabled account ends the user's sessions.
  if (input.password || input.role || input.disabled) await store.deleteSessionsOf(id);
  return userView(user);
}
