// The inspector's first line: one plain sentence a non-engineer can read aloud.
// "treasury-planner delegated treasury/liquidity/summary:read to viz for finance.reporting.charts, until 14:05 UTC"
import type { THop } from "@/lib/contracts/chains";
import { formatTime, type TZone } from "./format";

/** `title`: the full value behind a shortened one (a principal's id, a whole resource URI). */
export type TSentencePart = { text: string; kind: "plain" | "principal" | "scope" | "purpose" | "time"; title?: string };

export function listScopes(scopes: readonly string[], max = 3): TSentencePart[] {
  const shown = scopes.slice(0, max);
  const rest = scopes.length - shown.length;
  const parts: TSentencePart[] = [];
  shown.forEach((s, i) => {
    if (i > 0) parts.push({ text: i === shown.length - 1 && rest === 0 ? " and " : ", ", kind: "plain" });
    parts.push({ text: s, kind: "scope" });
  });
  if (rest > 0) parts.push({ text: ` and ${rest} more`, kind: "plain" });
  if (scopes.length === 0) parts.push({ text: "no scope", kind: "plain" });
  return parts;
}

export function hopSentence(hop: THop, nameOf: (principalId: string) => string, now: Date = new Date(), zone: TZone = "local"): TSentencePart[] {
  const verb = hop.kind === "authorize" ? " authorized " : " delegated ";
  return [
    { text: nameOf(hop.from), kind: "principal" },
    { text: verb, kind: "plain" },
    ...listScopes(hop.scope),
    { text: " to ", kind: "plain" },
    { text: nameOf(hop.to), kind: "principal" },
    { text: " for ", kind: "plain" },
    { text: hop.purpose.code, kind: "purpose" },
    { text: ", until ", kind: "plain" },
    { text: formatTime(hop.exp, now, zone), kind: "time" },
  ];
}

export function sentenceText(parts: readonly TSentencePart[]): string {
  return parts.map((p) => p.text).join("");
}

/** A sentence for a non-grant event: an action, a completion or a revocation. */
export function eventSentence(
  event: { kind: string; iss: string; iat: number; claims: Record<string, unknown> & { kind: string } },
  nameOf: (principalId: string) => string,
  now: Date = new Date(),
  zone: TZone = "local",
): TSentencePart[] {
  const who: TSentencePart = { text: nameOf(event.iss), kind: "principal" };
  const at: TSentencePart[] = [
    { text: " at ", kind: "plain" },
    { text: formatTime(event.iat, now, zone), kind: "time" },
  ];
  const c = event.claims;
  if (c.kind === "invoke") {
    return [
      who,
      { text: " invoked ", kind: "plain" },
      { text: String(c.action), kind: "scope" },
      { text: " on ", kind: "plain" },
      { text: String(c.resource), kind: "scope" },
      ...at,
      ...(c.grant ? [] : [{ text: ", without any grant", kind: "plain" as const }]),
    ];
  }
  if (c.kind === "complete") {
    return [who, { text: ` reported the work ${String(c.status)}`, kind: "plain" }, ...at];
  }
  if (c.kind === "revoke") {
    return [
      who,
      { text: " revoked grant ", kind: "plain" },
      { text: String(c.target), kind: "purpose" },
      ...at,
      ...(typeof c.reason === "string" && c.reason ? [{ text: `: “${c.reason}”`, kind: "plain" as const }] : []),
    ];
  }
  return [who, { text: ` signed a ${event.kind} event`, kind: "plain" }, ...at];
}
