// The scope, purpose and egress algebra of docs/protocol.md §3. Pure functions over strings.
//
// A resource pattern is a list of segments, optionally followed by a final `*` that matches ONE OR
// MORE further segments. A bare `*` matches every resource, which is the same thing as a `*` after
// zero segments, so internally both are "prefix + wildcard" and every rule below is one comparison
// of prefixes. That is what keeps `covers` reflexive and transitive by construction.
//
// Set-against-set questions ("is each child scope covered by some parent scope?") never compare
// every pair: one side is indexed once (indexScopes, indexEgress) and each element of the other is
// looked up in it in a number of steps that grows with its own length, not with the other list's.
// A grant with 8,000 scopes under a parent with 8,000 once cost 64 million comparisons.
import { PURPOSE_CODE_PATTERN } from "./grammar";

export type TParsedScope = {
  /** the fixed segments; `"*"` for a bare `*` resource */
  resource: string[] | "*";
  /** true when the resource ends in `*` (always true for a bare `*`) */
  wildcard: boolean;
  /** a concrete action or `*` */
  action: string;
};

const SEGMENT = /^[a-z0-9_.-]+$/;
const PURPOSE_CODE = PURPOSE_CODE_PATTERN;

/**
 * Map lookups made by the coverage indexes since the process started. Tests read it to prove the
 * work stays near-linear without timing anything; nothing else should.
 */
export const coverageWork = { probes: 0 };

// Scopes repeat endlessly along a chain and across re-checks, so parses are cached, least recently
// used first out. (A cache cleared whenever it filled up once thrashed under a stream of distinct
// scopes, re-parsing inside every pairwise loop; the indexes below parse each set element once
// anyway, so the cache only saves work, it never decides how much there is.)
const PARSE_CACHE = new Map<string, TParsedScope | null>();
const PARSE_CACHE_MAX = 10_000;

export function parseScope(s: string): TParsedScope | null {
  if (typeof s !== "string") return null;
  const hit = PARSE_CACHE.get(s);
  if (hit !== undefined || PARSE_CACHE.has(s)) {
    PARSE_CACHE.delete(s);
    PARSE_CACHE.set(s, hit ?? null);
    return hit ?? null;
  }
  const parsed = parseUncached(s);
  if (PARSE_CACHE.size >= PARSE_CACHE_MAX) PARSE_CACHE.delete(PARSE_CACHE.keys().next().value as string);
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
  return p !== null && c !== null && parsedCovers(p, c);
}

function parsedCovers(p: TParsedScope, c: TParsedScope): boolean {
  if (p.action !== "*" && p.action !== c.action) return false;
  const pp = prefixOf(p);
  const cp = prefixOf(c);
  if (!p.wildcard) return !c.wildcard && pp.length === cp.length && startsWith(cp, pp);
  // parent = P/* matches exactly the resources with P as a proper prefix.
  return c.wildcard ? startsWith(cp, pp) : cp.length > pp.length && startsWith(cp, pp);
}

// ---------------------------------------------------------------------------------------------
// The scope index: a trie of resource segments. A node stands for one prefix and records the
// actions of the patterns that end there, as `P/*` (wild) or as exactly `P` (exact). The patterns
// covering a child are a wildcard on one of its prefixes (a proper prefix when the child is
// concrete) or, for a concrete child, its own resource; each with the child's action or `*`. So one
// walk down the child's segments finds them all.

type TScopeNode = { children: Map<string, TScopeNode> | null; wild: Set<string> | null; exact: Set<string> | null };

export type TScopeIndex = {
  /** Some scope of the indexed set covers `child` (scopeCovers). Invalid scopes cover and are covered by nothing. */
  covers(child: string): boolean;
};

const newScopeNode = (): TScopeNode => ({ children: null, wild: null, exact: null });

function hasAction(actions: Set<string> | null, action: string): boolean {
  if (actions === null) return false;
  coverageWork.probes++;
  if (actions.has("*")) return true;
  // Action `*` is covered only by `*`.
  return action !== "*" && actions.has(action);
}

// Below this size a list is scanned: building a trie costs more than comparing with a handful of
// patterns, and the work per lookup stays bounded by the constant.
const SCAN_BELOW = 8;

export function indexScopes(scopes: readonly string[]): TScopeIndex {
  const parsed = scopes.map(parseScope).filter((p): p is TParsedScope => p !== null);
  if (parsed.length < SCAN_BELOW)
    return {
      covers(child: string): boolean {
        const c = parseScope(child);
        coverageWork.probes += parsed.length;
        return c !== null && parsed.some((p) => parsedCovers(p, c));
      },
    };
  const root = newScopeNode();
  for (const p of parsed) {
    let node = root;
    for (const seg of prefixOf(p)) {
      node.children ??= new Map();
      let next = node.children.get(seg);
      if (!next) node.children.set(seg, (next = newScopeNode()));
      node = next;
    }
    if (p.wildcard) (node.wild ??= new Set()).add(p.action);
    else (node.exact ??= new Set()).add(p.action);
  }
  return {
    covers(child: string): boolean {
      const c = parseScope(child);
      if (!c) return false;
      const cp = prefixOf(c);
      let node: TScopeNode | undefined = root;
      for (let depth = 0; ; depth++) {
        // A wildcard at this prefix covers the child when the child goes on below it, or is itself
        // a wildcard at or below it.
        if ((c.wildcard || depth < cp.length) && hasAction(node.wild, c.action)) return true;
        if (depth === cp.length) return !c.wildcard && hasAction(node.exact, c.action);
        if (node.children === null) return false;
        coverageWork.probes++;
        node = node.children.get(cp[depth]);
        if (node === undefined) return false;
      }
    },
  };
}

/** Spec §8: each child scope must be covered by ONE single parent scope. */
export function scopesWithin(child: readonly string[], parent: readonly string[]): boolean {
  const index = indexScopes(parent);
  return child.every((c) => index.covers(c));
}

/** The two sets cover each other: the same authority (`no_attenuation`). */
export function scopeSetsEquivalent(a: readonly string[], b: readonly string[]): boolean {
  return scopesWithin(a, b) && scopesWithin(b, a);
}

/**
 * removed: parent scopes not covered by any child scope (authority not passed on whole);
 * added: child scopes not covered by any parent scope (escalation).
 */
export function scopeDiff(child: readonly string[], parent: readonly string[]): { removed: string[]; added: string[] } {
  const byChild = indexScopes(child);
  const byParent = indexScopes(parent);
  return { removed: parent.filter((p) => !byChild.covers(p)), added: child.filter((c) => !byParent.covers(c)) };
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

// The egress index: a trie of host labels read from the right (`a.bank.example` is example →
// bank → a). An exact entry sits at its host's node; `*.S` sits at S's node as a wildcard, and
// matches the hosts strictly below it. Entries are assumed valid (isValidEgressEntry: what the
// claim schema lets through), so no label is empty; hosts may be anything egressHost returns.

type TEgressNode = { children: Map<string, TEgressNode> | null; exact: number[] | null; wild: number[] | null };

export type TEgressIndex = {
  /** hostMatches(entry, host) for some indexed entry */
  matchesHost(host: string): boolean;
  /** egressEntryCovers(entry, child) for some indexed entry */
  coversEntry(child: string): boolean;
};

type TEgressIndexInternal = TEgressIndex & { entries: readonly string[]; root: TEgressNode; find(labels: string[]): TEgressNode | undefined };

const newEgressNode = (): TEgressNode => ({ children: null, exact: null, wild: null });

/** Labels of a host, last first: the order the trie is walked in. */
const labelsFromRight = (host: string) => host.split(".").reverse();

export function indexEgress(entries: readonly string[]): TEgressIndex {
  if (entries.length < SCAN_BELOW)
    return {
      matchesHost(host) {
        coverageWork.probes += entries.length;
        return entries.some((e) => hostMatches(e, host));
      },
      coversEntry(child) {
        coverageWork.probes += entries.length;
        return entries.some((e) => egressEntryCovers(e, child));
      },
    };
  const root = newEgressNode();
  entries.forEach((entry, i) => {
    const e = normaliseHost(entry);
    const isWild = e.startsWith("*.");
    let node = root;
    for (const label of labelsFromRight(isWild ? e.slice(2) : e)) {
      node.children ??= new Map();
      let next = node.children.get(label);
      if (!next) node.children.set(label, (next = newEgressNode()));
      node = next;
    }
    if (isWild) (node.wild ??= []).push(i);
    else (node.exact ??= []).push(i);
  });

  const step = (node: TEgressNode, label: string): TEgressNode | undefined => {
    if (node.children === null) return undefined;
    coverageWork.probes++;
    return node.children.get(label);
  };
  const find = (labels: string[]): TEgressNode | undefined => {
    let node: TEgressNode | undefined = root;
    for (const label of labels) if ((node = step(node, label)) === undefined) return undefined;
    return node;
  };
  /** Some wildcard entry `*.S` has `host` = X + "." + S with X non-empty. */
  const wildMatches = (host: string): boolean => {
    if (host.length === 0) return false;
    const labels = labelsFromRight(host);
    let node: TEgressNode | undefined = root;
    for (let k = 0; k < labels.length - 1; k++) {
      if ((node = step(node, labels[k])) === undefined) return false;
      // What is left of the host must be a non-empty string: ".b" is not below "*.b".
      const rest = labels.length - 1 - k;
      if (node.wild !== null && (rest > 1 || labels[labels.length - 1] !== "")) return true;
    }
    return false;
  };
  const matchesHost = (host: string): boolean => {
    const h = normaliseHost(host);
    if (h.length === 0) return false;
    if (wildMatches(h)) return true;
    return find(labelsFromRight(h))?.exact != null;
  };
  const index: TEgressIndexInternal = {
    entries,
    root,
    find,
    matchesHost,
    coversEntry(child: string): boolean {
      const c = normaliseHost(child);
      if (!c.startsWith("*.")) return matchesHost(c);
      // Only a wildcard covers a wildcard: one on the same base, or one above it.
      const base = c.slice(2);
      return find(labelsFromRight(base))?.wild != null || wildMatches(normaliseHost(base));
    },
  };
  return index;
}

/**
 * The intersection of a grant's own egress list with its parent's effective one (undefined =
 * unconstrained), lowercased. Host patterns are laminar (two patterns are nested or disjoint), so
 * it is, pairwise, the narrower pattern of each nested pair: an own entry some parent entry covers
 * is kept; otherwise the parent entries it covers are, in the parent's order. `parentIndex` is
 * indexEgress(parent) when the caller already has it.
 */
export function intersectEgress(own: string[] | undefined, parent: string[] | undefined, parentIndex?: TEgressIndex): string[] | undefined {
  if (own === undefined) return parent;
  const lowered = [...new Set(own.map((e) => e.toLowerCase()))];
  if (parent === undefined) return lowered;
  if (parent.length < SCAN_BELOW) {
    const out = new Set<string>();
    for (const o of lowered) {
      coverageWork.probes += parent.length;
      if (parent.some((p) => egressEntryCovers(p, o))) out.add(o);
      else for (const p of parent) if (egressEntryCovers(o, p)) out.add(p.toLowerCase());
    }
    return [...out];
  }
  const index = (parentIndex ?? indexEgress(parent)) as TEgressIndexInternal;
  const out = new Set<string>();
  // Parent entries already emitted, and subtrees emitted whole: a wider own entry that comes later
  // skips what a narrower one emitted, so each trie node is visited once however the own entries
  // nest (pairwise, 256 nested own entries each walked all 256 parent entries again).
  const emitted = new Set<number>();
  const doneSubtrees = new Set<TEgressNode>();
  const take = (list: number[] | null, into: number[]) => {
    if (list === null) return;
    for (const i of list)
      if (!emitted.has(i)) {
        emitted.add(i);
        into.push(i);
      }
  };
  for (const o of lowered) {
    if (index.coversEntry(o)) {
      out.add(o);
      continue;
    }
    const n = normaliseHost(o);
    const isWild = n.startsWith("*.");
    const node = index.find(labelsFromRight(isWild ? n.slice(2) : n));
    if (node === undefined) continue;
    const fresh: number[] = [];
    if (!isWild) {
      // An exact host covers only the exact entries equal to it.
      take(node.exact, fresh);
    } else {
      // `*.S` covers the wildcards on S and every entry strictly below S.
      take(node.wild, fresh);
      const stack = node.children ? [...node.children.values()] : [];
      while (stack.length > 0) {
        const below = stack.pop()!;
        if (doneSubtrees.has(below)) continue;
        doneSubtrees.add(below);
        take(below.exact, fresh);
        take(below.wild, fresh);
        if (below.children) for (const child of below.children.values()) stack.push(child);
      }
    }
    // Pairwise, an own entry added the parent entries it covers in the parent's order.
    fresh.sort((a, b) => a - b);
    for (const i of fresh) out.add(index.entries[i].toLowerCase());
  }
  return [...out];
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
