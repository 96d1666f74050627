// AIP scopes (spec aip-import §5): opaque strings compared with the reference's cover rule, never
// translated into DEP's `resource:action` grammar. `p` covers `c` when p == c, p == "*", or p ends
// in `*` and c starts with p minus the `*`. A pattern child (`a*`) is covered by a parent pattern
// only through the same prefix rule, which is exactly "every string c matches is matched by p".

export function aipScopeCovers(parent: string, child: string): boolean {
  if (parent === child || parent === "*") return true;
  if (parent.endsWith("*")) return child.startsWith(parent.slice(0, -1));
  return false;
}

/** Each child scope is covered by one single parent scope. */
export function aipScopesWithin(child: readonly string[], parent: readonly string[]): boolean {
  return child.every((c) => parent.some((p) => aipScopeCovers(p, c)));
}

/** The child scopes no parent scope covers (the escalation). */
export function aipScopesAdded(child: readonly string[], parent: readonly string[]): string[] {
  return child.filter((c) => !parent.some((p) => aipScopeCovers(p, c)));
}

/** The two sets cover each other: the same authority passed on. */
export function aipScopeSetsEquivalent(a: readonly string[], b: readonly string[]): boolean {
  return aipScopesWithin(a, b) && aipScopesWithin(b, a);
}

/**
 * A block may carry several tool checks and Biscuit requires all of them, so what an ancestor
 * allows is the intersection of its checks: a child scope is covered only when EVERY one of the
 * ancestor's declarations covers it.
 */
export function aipScopeAllowedBy(scope: string, declarations: readonly (readonly string[])[]): boolean {
  return declarations.every((d) => d.some((p) => aipScopeCovers(p, scope)));
}
