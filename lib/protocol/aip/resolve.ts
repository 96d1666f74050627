// Resolving an AIP identity to keys, shared by compact and chained tokens.
import type { TPrincipalKind } from "../types";
import { keyOfAipKeyId, parseAipId, type TAipId } from "./identity";
import type { TAipIdentity } from "./types";

export type TAipContext = {
  /** the server's clock at receipt, NumericDate seconds */
  now: number;
  /** a registered identity (an aip:web document, or an aip:key id seen before), else undefined */
  resolveIdentity: (id: string) => TAipIdentity | undefined;
  /** whether an event id is already stored */
  isStored: (eventId: string) => boolean;
};

export type TResolved =
  { ok: true; id: TAipId; identity: TAipIdentity; created: boolean } | { ok: false; code: "malformed" | "unknown_principal"; message: string };

/** An aip:web id must be registered; an aip:key id becomes an agent with its one key on first use. */
export function resolveAipIdentity(id: unknown, ctx: TAipContext): TResolved {
  const parsed = parseAipId(id);
  if (!parsed.ok) return parsed;
  let known: TAipIdentity | undefined;
  try {
    known = ctx.resolveIdentity(parsed.value.id);
  } catch {
    known = undefined;
  }
  if (known) return { ok: true, id: parsed.value, identity: known, created: false };
  if (parsed.value.scheme === "key") {
    const kind: TPrincipalKind = "agent";
    return { ok: true, id: parsed.value, identity: { id: parsed.value.id, kind, keys: [keyOfAipKeyId(parsed.value)] }, created: true };
  }
  return {
    ok: false,
    code: "unknown_principal",
    message: `${JSON.stringify(parsed.value.id)} is not registered: post its identity document to /api/v1/aip/identities (nothing is fetched from the web)`,
  };
}
