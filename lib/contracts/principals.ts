// The principals contract: registering principals and keys, the list and one principal's page.
import { z } from "zod";
import { validatePublicJwk } from "@/lib/protocol/keys";
import { PRINCIPAL_ID_PATTERN, PRINCIPAL_ID_RULE } from "@/lib/protocol/grammar";
import { PRINCIPAL_KINDS, type TFindingCode, type TPrincipalKind, type TSeverity } from "@/lib/protocol/types";
import type { TChainSummary } from "./chain-models";
import { ZLimit } from "./common";

// The verifier's own key check (lib/protocol/keys.ts): a key registered here must be one it can
// verify with, never a small-order or off-curve point that makes signatures forgeable.
const ZJwk = z
  .object({ kid: z.string().min(1).max(200), kty: z.string() })
  .catchall(z.unknown())
  .superRefine((jwk, ctx) => {
    const problem = validatePublicJwk(jwk);
    if (problem !== null) ctx.addIssue({ code: "custom", message: `key ${jwk.kid}: ${problem}` });
  });

export const ZCreatePrincipal = z.object({
  id: z.string().regex(PRINCIPAL_ID_PATTERN, `must be ${PRINCIPAL_ID_RULE}`),
  kind: z.enum(PRINCIPAL_KINDS),
  name: z.string().trim().min(1).max(200).nullish(),
  keys: z
    .array(ZJwk)
    .min(1, "at least one public JWK is required")
    .max(20)
    .refine((keys) => new Set(keys.map((k) => k.kid)).size === keys.length, "each key needs a unique kid"),
});
export type TCreatePrincipal = z.infer<typeof ZCreatePrincipal>;

export const ZRevokeKey = z.object({ at: z.number().finite().min(0).nullish() });

export const ZPrincipalListQuery = z.object({
  q: z.string().trim().min(1).max(200).optional(),
  cursor: z.string().max(200).optional(),
  limit: ZLimit,
});

export type TPrincipalKey = { kid: string; kty: string | null; crv: string | null; thumbprint: string; revokedAt: number | null; createdAt: string };
export type TPrincipalCreated = { id: string; kind: TPrincipalKind; name: string | null; createdAt: string; keys: TPrincipalKey[] };
export type TKeyRevoked = TPrincipalKey & { principalId: string };

export type TPrincipalSummary = {
  id: string;
  kind: TPrincipalKind;
  name: string | null;
  keyCount: number;
  revokedKeyCount: number;
  chainCount: number;
  findingCount: number;
  createdAt: string;
};
export type TPrincipalList = { items: TPrincipalSummary[]; nextCursor: string | null };

export type TPrincipalFinding = { code: TFindingCode; severity: TSeverity; message: string; eventJti: string; chainId: string };

export type TPrincipalDetail = {
  principal: { id: string; kind: TPrincipalKind; name: string | null; createdAt: string };
  keys: TPrincipalKey[];
  chains: TChainSummary[];
  findings: TPrincipalFinding[];
  /** the AIP identity document the principal was registered with, as published (docs/aip.md) */
  aipDocument?: { document: unknown; signatureForm: string; signedBy: string; createdAt: string; updatedAt: string } | null;
};
