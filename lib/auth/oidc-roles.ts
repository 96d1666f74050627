// Which dashboard role a single sign-on gets: the values of one claim of the ID token
// (DELEGRAPH_OIDC_ROLE_CLAIM, a dotted path such as realm_access.roles reaches into objects), each
// mapped through DELEGRAPH_OIDC_ROLES ("value=role,…"). A string or an array of strings; the most
// powerful mapped role wins; nothing mapped means no access (the sign-on is refused).
import type { TUserRole } from "@/lib/contracts/auth";

const RANK: Record<TUserRole, number> = { viewer: 1, investigator: 2, admin: 3 };

/** The claim at a dotted path, as a list of strings (anything else is ignored). */
export function claimValues(claims: Record<string, unknown>, path: string): string[] {
  let at: unknown = claims;
  // A claim may itself be named with dots (Auth0's namespaced claims): try it whole first.
  if (path in claims) at = claims[path];
  else
    for (const part of path.split(".")) {
      if (at === null || typeof at !== "object" || Array.isArray(at)) return [];
      at = (at as Record<string, unknown>)[part];
    }
  if (typeof at === "string") return [at];
  if (Array.isArray(at)) return at.filter((v): v is string => typeof v === "string");
  return [];
}

export function roleFromClaims(claims: Record<string, unknown>, claim: string, mapping: readonly (readonly [string, TUserRole])[]): TUserRole | null {
  let best: TUserRole | null = null;
  for (const value of claimValues(claims, claim)) {
    for (const [from, role] of mapping) {
      if (from === value && (best === null || RANK[role] > RANK[best])) best = role;
    }
  }
  return best;
}
