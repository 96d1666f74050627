// The ledger contract: GET /api/v1/ledger/verify and GET /api/v1/ledger/key.
import type { TEd25519Jwk } from "@/lib/ledger/signing";

export type TCheckpointSummary = { count: number; verified: number; lastSeq: number | null; lastAt: string | null };
export type TLedgerVerification = {
  ok: boolean;
  count: number;
  head: string;
  brokenAt?: number;
  reason?: string;
  checkpoints: TCheckpointSummary;
};

export type TServerPublicKey = { kid: string; thumbprint: string; jwk: TEd25519Jwk; firstSeenAt: string; trusted: boolean };
export type TLedgerKey = {
  kid: string;
  thumbprint: string;
  jwk: TEd25519Jwk;
  createdAt: string;
  firstSeenAt: string | null;
  previous: TServerPublicKey[];
};
