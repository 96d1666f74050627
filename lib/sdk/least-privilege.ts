// Suggested grants (docs/least-privilege.md): the JSON that GET /api/v1/principals/{id}/least-privilege
// answers as `suggested` (or the dashboard copies), turned into the input of the SDK's `delegate`,
// so a producer can re-issue a narrower grant from what its agent actually used.
import { ZSuggestedGrant } from "@/lib/contracts/least-privilege";
import { isValidScope } from "@/lib/protocol/scope";
import type { TPurpose } from "@/lib/protocol/types";
import type { delegate } from "@delegraph/sdk";

export type TDelegateInput = Parameters<typeof delegate>[2];

/**
 * The `delegate` input for a suggestion: its scope, constraints, `max_depth` and `ttl`, to `aud`.
 * `suggestion` is the parsed object or its JSON text. The purpose is the suggestion's code with
 * `purposeText` when both are there, else left to default to the parent's. Throws a TypeError for
 * anything that is not a suggestion, and for a suggestion of nothing (no use was observed: no
 * grant is needed).
 */
export function delegateFromSuggestion(suggestion: unknown, opts: { aud: string; purposeText?: string; jti?: string }): TDelegateInput {
  const parsed = ZSuggestedGrant.safeParse(typeof suggestion === "string" ? parseJson(suggestion) : suggestion);
  if (!parsed.success)
    throw new TypeError(`not a suggested grant: ${parsed.error.issues.map((i) => `${i.path.join(".") || "value"} ${i.message}`).join("; ")}`);
  const s = parsed.data;
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
