-- The server's own signing keys (public halves) and signed checkpoints of the ledger head, so that
-- a rewrite of the whole hash chain by someone with database access is detectable
-- (lib/ledger/, docs/exports.md).

-- CreateTable
CREATE TABLE "LedgerKey" (
    "kid" TEXT NOT NULL,
    "jwk" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LedgerKey_pkey" PRIMARY KEY ("kid")
);

-- CreateTable
CREATE TABLE "LedgerCheckpoint" (
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "kid" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "LedgerCheckpoint_pkey" PRIMARY KEY ("seq")
);
