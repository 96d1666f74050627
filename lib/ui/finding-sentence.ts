// Findings as sentences a person reads aloud, built from structured facts (the event, the grant it
// relied on, the revocation that applies), never by rewording the verifier's message:
// "Ledger posting agent wrote …/final at 04:26 UTC, 15 min after Ravi Patel revoked the grant".
// The verifier's own message stays one "detail" toggle away wherever a sentence is shown.
// Pure: the inspector, the timeline, the Findings page (facts sent by the server) and the PDF use it.
import type { TFactEvent, TFindingFacts } from "@/lib/contracts/findings";
import type { TClaims, TEventKind, TFindingCode } from "@/lib/protocol/types";
import { formatTime, type TZone } from "./format";
import type { TSentencePart } from "./hop-sentence";

export type { TFactEvent, TFindingFacts } from "@/lib/contracts/findings";

/** An event as the builder needs it: the chain read's events, or stored rows parsed on the server. */
export type TFactSource = {
  jti: string;
  kind?: TEventKind;
  iss?: string;
  iat?: number;
  claims: TClaims;
  /** ISO 8601 (chain read) or NumericDate seconds (stored rows) */
  receivedAt?: string | number | null;
  keyRevokedAt?: number | null;
};

function seconds(t: string | number | null | undefined): number | null {
  if (t === null || t === undefined) return null;
  if (typeof t === "number") return t;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms / 1000;
}

export function factEvent(e: TFactSource): TFactEvent {
  const c = e.claims;
  const isGrant = c.kind === "authorize" || c.kind === "delegate";
  return {
    jti: c.jti,
    kind: c.kind,
    iss: c.iss,
    aud: "aud" in c ? c.aud : null,
    ref:
      c.kind === "delegate"
        ? c.parent
        : c.kind === "invoke"
          ? (c.grant ?? null)
          : c.kind === "complete"
            ? c.grant
            : c.kind === "revoke"
              ? c.target
              : null,
    iat: c.iat,
    exp: isGrant ? c.exp : null,
    action: c.kind === "invoke" ? c.action : null,
    resource: c.kind === "invoke" ? c.resource : null,
    data: c.kind === "invoke" ? (c.data ?? []) : isGrant ? (c.constraints?.data ?? []) : [],
    egress: isGrant ? (c.constraints?.egress ?? null) : null,
    scope: isGrant ? (c.scope ?? []) : [],
    purpose: isGrant ? (c.purpose?.code ?? null) : c.kind === "invoke" ? (c.purpose ?? null) : null,
    maxDepth: isGrant ? (c.max_depth ?? null) : null,
    status: c.kind === "complete" ? c.status : null,
    receivedAt: seconds(e.receivedAt),
    keyRevokedAt: e.keyRevokedAt ?? null,
  };
}

/**
 * The facts of one finding from the events around it. `events` holds at least the flagged event and
 * the grants above it; `revokes` maps a grant's jti to the revoke events that target it.
 */
export function findingFacts(
  code: TFindingCode,
  eventJti: string,
  events: ReadonlyMap<string, TFactSource>,
  revokes: ReadonlyMap<string, readonly TFactSource[]>,
): TFindingFacts {
  const src = events.get(eventJti);
  if (!src) return { code, event: null, grant: null, revocation: null, egress: null };
  const event = factEvent(src);
  const isGrantFinding = code === "missing_evidence";
  // What the event relied on: an action's grant, a delegation's parent; a broken audit trail is on the grant itself.
  const grantSrc = isGrantFinding ? src : event.ref ? events.get(event.ref) : undefined;
  const grant = grantSrc && (grantSrc.claims.kind === "authorize" || grantSrc.claims.kind === "delegate") ? factEvent(grantSrc) : null;
  // The earliest revocation of the grant or a grant above it that came before the event.
  let revocation: TFindingFacts["revocation"] = null;
  let egress: string[] | null = null;
  const seen = new Set<string>();
  for (let g = grant; g && !seen.has(g.jti);) {
    seen.add(g.jti);
    if (egress === null && g.egress !== null) egress = g.egress;
    for (const r of revokes.get(g.jti) ?? []) {
      const at = r.claims.iat;
      if (revocation === null || at < revocation.at) revocation = { by: r.claims.iss, at, grantJti: g.jti, isOwnGrant: g.jti === grant?.jti };
    }
    const up: TFactSource | undefined = g.kind === "delegate" && g.ref ? events.get(g.ref) : undefined;
    g = up ? factEvent(up) : null;
  }
  return { code, event, grant, revocation, egress };
}

/** Facts for every finding of a chain read: events by jti, revokes by target. */
export function chainFactSources(events: readonly TFactSource[]): {
  events: Map<string, TFactSource>;
  revokes: Map<string, TFactSource[]>;
} {
  const byJti = new Map<string, TFactSource>();
  const revokes = new Map<string, TFactSource[]>();
  for (const e of events) {
    byJti.set(e.jti, e);
    if (e.claims.kind === "revoke") revokes.set(e.claims.target, [...(revokes.get(e.claims.target) ?? []), e]);
  }
  return { events: byJti, revokes };
}

const PAST: Record<string, string> = {
  read: "read",
  write: "wrote",
  send: "sent",
  create: "created",
  delete: "deleted",
  update: "updated",
  post: "posted",
  pay: "paid",
  approve: "approved",
  call: "called",
  list: "listed",
  export: "exported",
  upload: "uploaded",
  download: "downloaded",
  run: "ran",
  execute: "executed",
};

/** "ledger/reconciliations/2026-11:write" → "wrote"; an unknown verb is named as it is ("invoked x"). */
export function actionVerb(action: string): { verb: string; known: boolean } {
  const v = action.slice(action.lastIndexOf(":") + 1).toLowerCase();
  return PAST[v] ? { verb: PAST[v], known: true } : { verb: `invoked ${action} on`, known: false };
}

/** The last meaningful segment of a resource ("…/final"), the whole URI one hover away. */
export function shortResource(resource: string): string {
  const noQuery = resource.replace(/[?#].*$/, "");
  const trimmed = noQuery.replace(/\/+$/, "");
  const cut = trimmed.lastIndexOf("/");
  const tail = cut >= 0 ? trimmed.slice(cut + 1) : trimmed;
  const query = resource.length > noQuery.length ? resource.slice(noQuery.length) : "";
  if (!tail || tail.length === trimmed.length) return resource;
  const short = `…/${tail}${query}`;
  return short.length < resource.length ? short : resource;
}

/** "Ravi Patel, Close Manager" reads "Ravi Patel" inside a sentence. */
function personName(name: string): string {
  const i = name.indexOf(", ");
  return i > 0 ? name.slice(0, i) : name;
}

/** "15 min", "2 h 5 min", "3 d": the gap between two instants, for "… after …". */
export function formatGap(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.round(h / 24)} d`;
}

type TBuild = { nameOf: (id: string) => string; now: Date; zone: TZone };

function plain(text: string): TSentencePart {
  return { text, kind: "plain" };
}

function who(id: string, b: TBuild): TSentencePart {
  return { text: personName(b.nameOf(id)), kind: "principal", title: id };
}

function at(t: number, b: TBuild): TSentencePart[] {
  return [plain(" at "), { text: formatTime(t, b.now, b.zone), kind: "time" }];
}

/** "Ledger posting agent wrote …/final" (or "… invoked x on …/final" for a verb we do not know). */
function did(e: TFactEvent, b: TBuild): TSentencePart[] {
  if (e.kind === "invoke" && e.action && e.resource !== null) {
    const { verb } = actionVerb(e.action);
    return [who(e.iss, b), plain(` ${verb} `), { text: shortResource(e.resource), kind: "scope", title: e.resource }];
  }
  if (e.kind === "complete") return [who(e.iss, b), plain(` reported the work ${e.status ?? "done"}`)];
  if (e.kind === "delegate" || e.kind === "authorize")
    return [who(e.iss, b), plain(e.kind === "delegate" ? " delegated to " : " authorized "), who(e.aud ?? "", b)];
  if (e.kind === "revoke") return [who(e.iss, b), plain(" revoked a grant")];
  return [who(e.iss, b), plain(` signed a ${e.kind} event`)];
}

function scopes(list: readonly string[], max = 2): TSentencePart[] {
  const shown = list.slice(0, max);
  const out: TSentencePart[] = [];
  shown.forEach((s, i) => {
    if (i > 0) out.push(plain(i === shown.length - 1 && list.length <= max ? " and " : ", "));
    out.push({ text: s, kind: "scope" });
  });
  if (list.length > max) out.push(plain(` and ${list.length - max} more`));
  return out;
}

function host(resource: string): string | null {
  const m = /^https?:\/\/([^/?#:]+)/i.exec(resource); // the egress rule judges http(s) only
  return m ? m[1].toLowerCase() : null;
}

/**
 * The finding as a sentence, or null when the facts do not carry what the code needs (then the
 * caller shows the verifier's message as it is).
 */
export function findingSentence(
  facts: TFindingFacts,
  nameOf: (id: string) => string,
  now: Date = new Date(),
  zone: TZone = "local",
): TSentencePart[] | null {
  const b: TBuild = { nameOf, now, zone };
  const { event: e, grant: g, revocation: r } = facts;
  if (!e) return null;
  const when = at(e.iat, b);
  switch (facts.code) {
    case "revoked_grant":
    case "parent_revoked": {
      if (!r) return null;
      return [
        ...did(e, b),
        ...when,
        plain(`, ${formatGap(e.iat - r.at)} after `),
        who(r.by, b),
        plain(
          r.isOwnGrant ? (facts.code === "parent_revoked" ? " revoked the grant it came from" : " revoked the grant") : " revoked a grant above it",
        ),
      ];
    }
    case "expired_grant":
    case "parent_expired": {
      if (!g || g.exp === null) return null;
      return [...did(e, b), ...when, plain(`, ${formatGap(e.iat - g.exp)} after the grant from `), who(g.iss, b), plain(" expired")];
    }
    case "missing_evidence": {
      if (e.exp === null) return null;
      return [
        plain("Nobody reported back on the grant "),
        who(e.iss, b),
        plain(" gave "),
        who(e.aud ?? "", b),
        plain(": it expired at "),
        { text: formatTime(e.exp, now, zone), kind: "time" },
        plain(`, ${formatGap(now.getTime() / 1000 - e.exp)} ago, with no completion`),
      ];
    }
    case "ghost_permission": {
      if (e.kind !== "invoke") return null;
      if (!g) return [...did(e, b), ...when, plain(" with no grant that allows it")];
      if (g.aud !== e.iss) return [...did(e, b), ...when, plain(" under a grant that was given to "), who(g.aud ?? "", b), plain(", not to it")];
      return [
        ...did(e, b),
        ...when,
        plain(", which the grant from "),
        who(g.iss, b),
        plain(" does not cover (it allows "),
        ...scopes(g.scope),
        plain(")"),
      ];
    }
    case "scope_drift": {
      if (e.kind !== "invoke" || e.resource === null) return null;
      const h = host(e.resource);
      if (h && facts.egress)
        return [
          ...did(e, b),
          ...when,
          plain(", sending data to "),
          { text: h, kind: "scope" },
          plain(": the grant allows only "),
          ...scopes(facts.egress),
        ];
      if (e.data.length) return [...did(e, b), ...when, plain(", touching "), ...scopes(e.data), plain(" data, which the grant does not allow")];
      return [...did(e, b), ...when, plain(", outside the grant's constraints")];
    }
    case "behavior_drift": {
      // What was new (resource, host, data class or rate) and the baseline it was compared to are in
      // the verifier's message, behind "detail"; the sentence says what the agent did and against what.
      if (e.kind !== "invoke") return null;
      return [
        ...did(e, b),
        ...when,
        plain(", unlike its own history"),
        ...(e.purpose ? [plain(" under "), { text: e.purpose, kind: "purpose" as const }] : []),
      ];
    }
    case "late_after_revocation": {
      if (e.keyRevokedAt === null) return null;
      return [
        ...did(e, b),
        plain(", dated "),
        { text: formatTime(e.iat, now, zone), kind: "time" },
        plain(`, ${formatGap(e.keyRevokedAt - e.iat)} before its key was revoked, but it arrived `),
        ...(e.receivedAt !== null
          ? [{ text: formatTime(e.receivedAt, now, zone), kind: "time" as const }, plain(", after the revocation")]
          : [plain("after the revocation")]),
      ];
    }
    case "scope_escalation":
      if (!g) return null;
      return [
        ...did(e, b),
        ...when,
        plain(", passing on "),
        ...scopes(e.scope),
        plain(" though the grant it came from allows only "),
        ...scopes(g.scope),
      ];
    case "constraint_escalation":
      return [...did(e, b), ...when, plain(", allowing data classes or outbound hosts its own grant did not allow")];
    case "no_attenuation":
      return [...did(e, b), ...when, plain(", passing on "), ...scopes(e.scope), plain(" unchanged instead of narrowing it")];
    case "purpose_mismatch": {
      if (!g || !e.purpose) return null;
      return [
        ...did(e, b),
        ...when,
        plain(" for "),
        { text: e.purpose, kind: "purpose" },
        plain(", which is not part of the grant's purpose "),
        { text: g.purpose ?? "", kind: "purpose" },
      ];
    }
    case "depth_exceeded":
      return [...did(e, b), ...when, plain(", one level deeper than an earlier grant allows")];
    case "lifetime_escalation": {
      if (!g || e.exp === null || g.exp === null) return null;
      return [
        ...did(e, b),
        ...when,
        plain(", until "),
        { text: formatTime(e.exp, now, zone), kind: "time" },
        plain(`: ${formatGap(e.exp - g.exp)} after the grant it came from expires`),
      ];
    }
    case "principal_mismatch": {
      if (!g) return [who(e.iss, b), plain(` signed a ${e.kind} event`), ...when, plain(" that it had no right to sign")];
      return [
        who(e.iss, b),
        plain(` signed a ${e.kind} event`),
        ...when,
        plain(" under a grant given to "),
        who(g.aud ?? "", b),
        plain(", not to it"),
      ];
    }
    case "orphan":
      return [...did(e, b), ...when, plain(" under a grant that has not arrived yet")];
    case "unrooted":
      return [...did(e, b), ...when, plain(", but the authority above it does not start with a human decision")];
    default:
      return null;
  }
}

/** One function that turns any finding of a chain read into its sentence (null: show the message). */
export function chainFindingSentencer(
  events: readonly TFactSource[],
  nameOf: (id: string) => string,
  now: Date = new Date(),
  zone: TZone = "local",
): (f: { code: TFindingCode; eventJti: string }) => TSentencePart[] | null {
  const src = chainFactSources(events);
  return (f) => findingSentence(findingFacts(f.code, f.eventJti, src.events, src.revokes), nameOf, now, zone);
}
