// API tokens and dashboard users (admins only). A password must also not be a common one: the
// server checks that after the schema (lib/auth/passwords.ts), so this module stays importable by
// the dashboard.
import { z } from "zod";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/password-rules";
import { ROLES, USER_ROLES, type TRole, type TUserRole } from "./auth";

const ZPasswordLength = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(1000, "must be at most 1000 characters");

export const ZCreateToken = z.object({ name: z.string().trim().min(1).max(100), role: z.enum(ROLES) });
export type TCreateToken = z.infer<typeof ZCreateToken>;

export const ZCreateUser = z.object({
  email: z
    .email()
    .max(320)
    .transform((e) => e.toLowerCase()),
  name: z.string().trim().min(1).max(200).nullish(),
  role: z.enum(USER_ROLES),
  password: ZPasswordLength,
});
export type TCreateUser = z.input<typeof ZCreateUser>;

export const ZUpdateUser = z.object({
  role: z.enum(USER_ROLES).optional(),
  password: ZPasswordLength.optional(),
  disabled: z.boolean().optional(),
});
export type TUpdateUser = z.infer<typeof ZUpdateUser>;

export type TApiToken = { id: string; name: string; role: TRole; createdAt: string; createdBy: string | null; revokedAt: string | null };
export type TTokenList = { items: TApiToken[] };
/** The token itself is in this answer only: it is stored hashed. */
export type TCreatedToken = { id: string; name: string; role: TRole; createdAt: string; token: string };
export type TRevokedToken = { id: string; revokedAt: string };

export type TUser = { id: string; email: string; name: string | null; role: TUserRole; createdAt: string; disabledAt: string | null };
export type TUserList = { items: TUser[] };
