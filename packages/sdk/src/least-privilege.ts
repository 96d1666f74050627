// Suggested grants (docs/least-privilege.md): the JSON that GET /api/v1/principals/{id}/least-privilege
// answers as `suggested` (or the dashboard copies), turned into the input of `delegate`, so a
// producer can re-issue a narrower grant from what its agent actually used. Checked by hand, not with
// zod: the package carries no schema library.
import { isValidScope } from "../../../lib/protocol/scope";
import { PURPOSE_CODE_PATTERN } from "../../../lib/protocol/grammar";
import type { TPurpose } from "../../../lib/protocol/types";
import type { delegate } from "./events";

export type TDelegateInput = Parameters<typeof delegate>[2];

/** A suggested grant as the API gives it. */
export type TSuggestedGrant = {
  scope: string[];
  constraints: { data: string[]; egress: string[] };
  max_depth: number;
  ttl: number | null;
  purpose: string | null;
};

const MAX_LIST = 256;

/** The problems that keep `value` from being a suggested grant; empty when it is one. */
function problems(value: unknown): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return ["value must be an object"];
  const v = value as Record<string, unknown>;
  const out: string[] = [];
  const stringList = (x: unknown, name: string, nonEmpty: boolean) => {
    if (!Array.isArray(x)) return out.push(`${name} must be an array`);
    if (x.length > MAX_LIST) out.push(`${name} has more than ${MAX_LIST} entries`);
    if (x.some((e) => typeof e !== "string" || (nonEmpty && e.length === 0))) out.push(`${name} must hold ${nonEmpty ? "non-empty " : ""}strings`);
  };
  stringList(v.scope, "scope", true);
  const c = v.constraints;
  if (typeof c !== "object" || c === null || Array.isArray(c)) out.push("constraints must be an object");
  else {
    stringList((c as Record<string, unknown>).data, "constraints.data", false);
    stringList((c as Record<string, unknown>).egress, "constraints.egress", false);
  }
  if (typeof v.max_depth !== "number" || !Number.isInteger(v.max_depth) || v.max_depth < 0) out.push("max_depth must be a whole number ≥ 0");
  if (v.ttl !== null && (typeof v.ttl !== "number" || !(v.ttl > 0))) out.push("ttl must be a positive number or null");
  if (v.purpose !== null && (typeof v.purpose !== "string" || !PURPOSE_CODE_PATTERN.test(v.purpose)))
    out.push("purpose must be a purpose code or null");
  return out;
}

/**
 * The `delegate` input for a suggestion: its scope, constraints, `max_depth` and `ttl`, to `aud`.
 * `suggestion` is the parsed object or its JSON text. The purpose is the suggestion's code with
 * `purposeText` when both are there, else left to default to the parent's. Throws a TypeError for
 * anything that is not a suggestion, and for a suggestion of nothing (no use was observed: no
 * grant is needed).
 */
export function delegateFromSuggestion(suggestion: unknown, opts: { aud: string; purposeText?: string; jti?: string }): TDelegateInput {
  const value = typeof suggestion === "string" ? parseJson(suggestion) : suggestion;
  const wrong = problems(value);
  if (wrong.length > 0) throw new TypeError(`not a suggested grant: ${wrong.join("; ")}`);
  const s = value as TSuggestedGrant;
  if (s.scope.length === 0 || s.ttl === null) throw new TypeError("the suggestion grants nothing: no use was observed, so no grant is needed");
  const bad = s.scope.filter((x) => !isValidScope(x));
  if (bad.length > 0) throw new TypeError(`not a suggested grant: scope ${bad.join(", ")} is outside the scope grammar`);
  const purpose: TPurpose | undefined = s.purpose !== null && opts.purposeText?.trim() ? { code: s.purpose, text: opts.purposeText } : undefined;
  return {
    aud: opts.aud,
    scope: s.scope,
    ttl: s.ttl,
    max_depth: s.max_depth,
    constraints: { data: s.constraints.data, egress: s.constraints.egress },
    ...(purpose ? { purpose } : {}),
    ...(opts.jti ? { jti: opts.jti } : {}),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new TypeError("not a suggested grant: the text is not JSON");
  }
}
