// Why a submission was refused, in plain words (docs/protocol.md §4, checked in this order). The code stays
// beside the words everywhere, in monospace, so nothing is lost in translation.
import type { TRejectCode } from "@/lib/protocol/types";

export const REJECT_REASONS: Record<TRejectCode, { name: string; explain: string }> = {
  malformed: {
    name: "Malformed",
    explain: "Not a well-formed signed event: not three base64url parts, a header that is not typ dep+jwt, or a claim missing or of the wrong type.",
  },
  alg_not_allowed: {
    name: "Algorithm not allowed",
    explain: "Signed with an algorithm Delegraph does not accept (only EdDSA / Ed25519 and ES256), for example alg none.",
  },
  unknown_principal: {
    name: "Unknown signer",
    explain: "The issuer (iss) is not a registered principal. Register it with its public key, then send the event again.",
  },
  unknown_key: {
    name: "Unknown key",
    explain: "The key id (kid) is not one of the issuer’s registered keys.",
  },
  key_revoked: {
    name: "Key revoked",
    explain: "Signed with a key that was revoked at or before the event’s issue time (iat).",
  },
  signature_invalid: {
    name: "Signature does not verify",
    explain: "The signature does not match the content: the token was altered after signing, or signed with a different key.",
  },
  iat_in_future: {
    name: "Issued in the future",
    explain: "The issue time (iat) is more than 5 minutes ahead of the server’s clock. Check the producer’s clock.",
  },
  replay: {
    name: "Replayed event id",
    explain: "An event with this jti was already accepted with different bytes. The same bytes again would be a harmless duplicate.",
  },
};

export function rejectReason(code: string): { name: string; explain: string } {
  return REJECT_REASONS[code as TRejectCode] ?? { name: code, explain: "" };
}
