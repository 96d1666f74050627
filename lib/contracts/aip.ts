// The AIP import contract (shared/spec/aip-import.md §2): identity documents and AIP tokens.
import { z } from "zod";
import { PRINCIPAL_KINDS, type TPrincipalKind } from "@/lib/protocol/types";
import type { TAipTokenResult, TAipVerdict } from "@/lib/protocol/aip/types";
import type { TPrincipalKey } from "./principals";

export type { TAipTokenResult, TAipVerdict } from "@/lib/protocol/aip/types";

/** Same bound as POST /api/v1/events. */
export const MAX_AIP_TOKENS = 1000;

export const ZAipIdentityBody = z.object({
  // Judged by judgeIdentityDocument, which names the reason a document is refused.
  document: z.unknown().refine((d) => d !== undefined, "document is required"),
  kind: z.enum(PRINCIPAL_KINDS).optional(),
});
export type TAipIdentityBody = z.infer<typeof ZAipIdentityBody>;

/** One entry of {"tokens": [...]}: a token, or a token with the tool and audience it is presented for. */
export const ZAipTokenEntry = z.union([
  z.string(),
  z.object({ token: z.string(), tool: z.string().max(1000).optional(), audience: z.string().max(1000).optional() }),
]);
export type TAipTokenEntry = z.infer<typeof ZAipTokenEntry>;
export const ZAipTokenBatch = z.object({ tokens: z.array(z.unknown()) });

/** An AIP key as the registry shows it: the principal key plus the document's window. */
export type TAipPrincipalKey = TPrincipalKey & { validFrom: number | null; validUntil: number | null };

/** 201 of POST /api/v1/aip/identities, 200 of PUT …/{id}. */
export type TAipIdentityAnswer = {
  principal: { id: string; kind: TPrincipalKind; name: string | null };
  keys: TAipPrincipalKey[];
  signatureForm: "python" | "draft" | "rust";
  /** the kid of the document's key that verified its signature */
  signedBy: string;
  /** what the reference's verifier says of the document (spec §6) */
  aip: TAipVerdict;
};

export type TAipTokensAnswer = { results: TAipTokenResult[] };

/** The identity document a principal was registered with, as the principal page shows it. */
export type TAipDocumentView = { document: unknown; signatureForm: string; signedBy: string; createdAt: string; updatedAt: string };
