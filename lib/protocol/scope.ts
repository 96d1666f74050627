// The scope, purpose and egress algebra of spec §3. Pure functions over strings.
//
// A resource pattern is a list of segments, optionally followed by a final `*` that matches ONE OR
// MORE further segments. A bare `*` matches every resource, which is the same thing as a `*` after
// zero segments, so internally both are "prefix + wildcard" and every rule below is one comparison
// of prefixes. That is what keeps `covers` reflexive and transitive by construction.

export type TParsedScope = {
  /** the fixed segments; `"*"` for a bare `*` resource */
  resource: string[] | "*";
  /** true when the resource ends in `*` (always true for a bare `*`) */
  wildcard: boolean;
  /** a concrete action or `*` */
  action: string;
};

const SEGMENT = /^[a-z0-9_.-]+$/;
const PURPOSE_CODE = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

// Scopes repeat endlessly along a chain; parsing once per distinct string keeps the chain checks
// linear. The cache is bounded so a hostile stream of distinct scopes cannot grow it forever.
const PARSE_CACHE = new Map<string, TParsedScope | null>();
const PARSE_CACHE_MAX = 10_000;

export function parseScope(s: string): TParsedScope | null {
  if (typeof s !== "string") return null;
  const hit = PARSE_CACHE.get(s);
  if (hit !== undefined || PARSE_CACHE.has(s)) return hit ?? null;
  const parsed = parseUncached(s);
  if (PARSE_CACHE.size >= PARSE_CACHE_MAX) PARSE_CACHE.clear();
  PARSE_CACHE.set(s, parsed);
  return parsed;
}

function parseUncached(s: string): TParsedScope | null {
  const colon = s.indexOf(":");
  if (colon < 0 || colon !== s.lastIndexOf(":")) return null;
  const resourcePart = s.slice(0, colon);
  const action = s.slice(colon + 1);
  if (action !== "*" && !SEGMENT.test(action)) return null;
  if (resourcePart === "*") return { resource: "*", wildcard: true, action };
  const segments = resourcePart.split("/");
  const wildcard = segments[segments.length - 1] === "*";
  const fixed = wildcard ? segments.slice(0, -1) : segments;
  if (fixed.length === 0 || !fixed.every((seg) => SEGMENT.test(seg))) return null;
  return { resource: fixed, wildcard, action };
}

export function isValidScope(s: string): boolean {
  return parseScope(s) !== null;
}

function prefixOf(p: TParsedScope): string[] {
  return p.resource === "*" ? [] : p.resource;
}

function startsWith(list: string[], prefix: string[]): boolean {
  if (prefix.length > list.length) return false;
  for (let i = 0; i < prefix.length; i++) if (list[i] !== prefix[i]) return false;
  return true;
}

/** True when every concrete scope matched by `child` is matched by `parent`. Invalid scopes cover nothing. */
export function scopeCovers(parent: string, child: string): boolean {
  const p = parseScope(parent);
  const c = parseScope(child);
  if (!p || !c) return false;
  if (p.action !== "*" && p.action !== c.action) return false;
  const pp = prefixOf(p);
  const cp = prefixOf(c);
  if (!p.wildcard) return !c.wildcard && pp.length === cp.length && startsWith(cp, pp);
  // parent = P/* matches exactly the resources with P as a proper prefix.
  return c.wildcard ? startsWith(cp, pp) : cp.length > pp.length && startsWith(cp, pp);
}

/** Spec §8: each child scope must be covered by ONE single parent scope. */
export function scopesWithin(child: string[], parent: string[]): boolean {
  return child.every((c) => parent.some((p) => scopeCovers(p, c)));
}

/** The two sets cover each other: the same authority (`no_attenuation`). */
export function scopeSetsEquivalent(a: string[], b: string[]): boolean {
  return scopesWithin(a, b) && scopesWithin(b, a);
}

/**
 * removed: parent scopes not covered by any child scope (authority not passed on whole);
 * added: child scopes not covered by any parent scope (escalation).
 */
export function scopeDiff(child: string[], parent: string[]): { removed: string[]; added: string[] } {
  return {
    removed: parent.filter((p) => !child.some((c) => scopeCovers(c, p))),
    added: child.filter((c) => !parent.some((p) => scopeCovers(p, c))),
  };
}

export function isValidPurposeCode(code: unknown): code is string {
  return typeof code === "string" && PURPOSE_CODE.test(code);
}

/** `c == p` or `c` starts with `p + "."`. */
export function purposeCovers(parent: string, child: string): boolean {
  return child === parent || child.startsWith(parent + ".");
}

// ---------------------------------------------------------------------------------------------
// Egress. Entries are host names, exact or `*.suffix`. `*.bank.example` matches strict
// sub-domains at any depth (`a.bank.example`, `x.a.bank.example`), never `bank.example` itself.
// Host comparison is case-insensitive and ignores one trailing root dot.

const HOST_LABEL = "[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?";
const EGRESS_ENTRY = new RegExp(`^(\\*\\.)?${HOST_LABEL}(\\.${HOST_LABEL})*$`);

function normaliseHost(h: string): string {
  const lower = h.toLowerCase();
  return lower.endsWith(".") ? lower.slice(0, -1) : lower;
}

/** An egress entry as this implementation accepts it: a host name or `*.` + host name (any case). */
export function isValidEgressEntry(entry: unknown): entry is string {
  return typeof entry === "string" && EGRESS_ENTRY.test(normaliseHost(entry));
}

export function hostMatches(pattern: string, host: string): boolean {
  const p = normaliseHost(pattern);
  const h = normaliseHost(host);
  if (h.length === 0) return false;
  if (p.startsWith("*.")) {
    const suffix = p.slice(1); // ".bank.example"
    return h.length > suffix.length && h.endsWith(suffix);
  }
  return p === h;
}

/** Pattern-in-pattern: every host matched by `childEntry` is matched by `parentEntry`. */
export function egressEntryCovers(parentEntry: string, childEntry: string): boolean {
  const c = normaliseHost(childEntry);
  if (!c.startsWith("*.")) return hostMatches(parentEntry, c);
  const p = normaliseHost(parentEntry);
  if (!p.startsWith("*.")) return false;
  const childBase = c.slice(2);
  return childBase === p.slice(2) || hostMatches(p, childBase);
}

/** The lowercase host of an `http`/`https` resource, else null (not egress, or no parsable host). */
export function egressHost(resource: string): string | null {
  if (typeof resource !== "string" || !isHttpResource(resource)) return null;
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    return null;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  const host = normaliseHost(url.hostname);
  return host.length > 0 ? host : null;
}

/** The resource names the http or https scheme (case-insensitive), whether or not it parses. */
export function isHttpResource(resource: string): boolean {
  return /^https?:/i.test(resource);
}
