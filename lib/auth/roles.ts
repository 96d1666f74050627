// Who may do what. Roles are fixed; routes ask for a permission, never for a role.
import type { TRole } from "@/lib/contracts/auth";

export { ROLES, USER_ROLES, type TRole } from "@/lib/contracts/auth";

export type TPermission =
  | "chains:read" // chains, principals, findings, ledger verification, stats
  | "chains:export" // PDF, CSV and evidence exports
  | "raw:read" // raw tokens in chain reads
  | "quarantine:read"
  | "investigate"
  | "events:write"
  | "principals:write"
  | "tokens:manage"
  | "users:manage"
  | "audit:read"
  | "findings:review" // finding states, assignees, notes; chain review and sign-off (docs/review.md)
  | "webhooks:manage"; // outgoing webhooks, their tests and delivery logs (docs/review.md#webhooks)

const GRANTS: Record<TRole, readonly TPermission[]> = {
  viewer: ["chains:read", "chains:export"],
  investigator: ["chains:read", "chains:export", "raw:read", "quarantine:read", "investigate", "findings:review"],
  admin: [
    "chains:read",
    "chains:export",
    "raw:read",
    "quarantine:read",
    "investigate",
    "events:write",
    "principals:write",
    "tokens:manage",
    "users:manage",
    "audit:read",
    "findings:review",
    "webhooks:manage",
  ],
  ingest: ["events:write"],
};

export function can(role: TRole, permission: TPermission): boolean {
  return GRANTS[role].includes(permission);
}
