// Who may do what, and the session contract: roles, sign-in, GET /api/auth/me.
import { z } from "zod";

export const ROLES = ["admin", "investigator", "viewer", "ingest"] as const;
export type TRole = (typeof ROLES)[number];
/** Roles a dashboard user can have (ingest is for machines). */
export const USER_ROLES = ["admin", "investigator", "viewer"] as const;
export type TUserRole = (typeof USER_ROLES)[number];

export const ZSignIn = z.object({ email: z.string().trim().min(1).max(320), password: z.string().min(1).max(1000) });
export type TSignIn = z.infer<typeof ZSignIn>;

export type TMe = { user: { id: string; email: string; role: TUserRole }; csrfToken: string };
