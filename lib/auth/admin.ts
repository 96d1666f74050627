// Admin operations: API tokens and dashboard users. Secrets are stored hashed and shown once.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { db } from "@/lib/db";
import { AppError } from "@/lib/http";
import { ROLES, USER_ROLES } from "@/lib/auth/roles";
import { hashPassword } from "@/lib/auth/secrets";
import { ZPassword } from "@/lib/auth/passwords";
import { createApiToken } from "@/lib/auth/bootstrap";
import type { TActor } from "@/lib/auth/authenticate";

export const ZCreateToken = z.object({ name: z.string().trim().min(1).max(100), role: z.enum(ROLES) });
export const ZCreateUser = z.object({
  email: z.email().max(320).transform((e) => e.toLowerCase()),
  name: z.string().trim().min(1).max(200).nullish(),
  role: z.enum(USER_ROLES),
  password: ZPassword,
});
export const ZUpdateUser = z.object({
  role: z.enum(USER_ROLES).optional(),
  password: ZPassword.optional(),
  disabled: z.boolean().optional(),
});

export async function issueToken(input: z.infer<typeof ZCreateToken>, actor: TActor) {
  return createApiToken(input.name, input.role, `${actor.kind}:${actor.name}`);
}

export async function listTokens() {
  const prisma = await db();
  const rows = await prisma.apiToken.findMany({ orderBy: { createdAt: "desc" } });
  return {
    items: rows.map((t) => ({
      id: t.id,
      name: t.name,
      role: t.role,
      createdAt: t.createdAt.toISOString(),
      createdBy: t.createdBy,
      revokedAt: t.revokedAt?.toISOString() ?? null,
    })),
  };
}

export async function revokeToken(id: string) {
  const prisma = await db();
  const row = await prisma.apiToken.findUnique({ where: { id } });
  if (!row) throw new AppError("not_found", `No token ${id}.`);
  const updated = await prisma.apiToken.update({ where: { id }, data: { revokedAt: row.revokedAt ?? new Date() } });
  return { id: updated.id, revokedAt: updated.revokedAt!.toISOString() };
}

function userView(u: { id: string; email: string; name: string | null; role: string; createdAt: Date; disabledAt: Date | null }) {
  return { id: u.id, email: u.email, name: u.name, role: u.role, createdAt: u.createdAt.toISOString(), disabledAt: u.disabledAt?.toISOString() ?? null };
}

export async function listUsers() {
  const prisma = await db();
  return { items: (await prisma.user.findMany({ orderBy: { email: "asc" } })).map(userView) };
}

export async function createUser(input: z.infer<typeof ZCreateUser>) {
  const prisma = await db();
  if (await prisma.user.findUnique({ where: { email: input.email } })) throw new AppError("conflict", `User ${input.email} already exists.`);
  const user = await prisma.user.create({
    data: { id: randomUUID(), email: input.email, name: input.name ?? null, role: input.role, passwordHash: await hashPassword(input.password) },
  });
  return userView(user);
}

export async function updateUser(id: string, input: z.infer<typeof ZUpdateUser>) {
  const prisma = await db();
  const existing = await prisma.user.findUnique({ where: { id } });
  if (!existing) throw new AppError("not_found", `No user ${id}.`);
  const user = await prisma.user.update({
    where: { id },
    data: {
      ...(input.role ? { role: input.role } : {}),
      ...(input.password ? { passwordHash: await hashPassword(input.password) } : {}),
      ...(input.disabled === undefined ? {} : { disabledAt: input.disabled ? new Date() : null }),
    },
  });
  // A changed password, role or a disabled account ends the user's sessions.
  if (input.password || input.role || input.disabled) await prisma.session.deleteMany({ where: { userId: id } });
  return userView(user);
}
