-- The server's own signing keys (public halves) and signed checkpoints of the ledger head, so that
-- a rewrite of the whole hash chain by someone with database access is detectable
-- (lib/ledger/, docs/exports.md).

-- CreateTable
CREATE TABLE "LedgerKey" (
    "kid" TEXT NOT NULL PRIMARY KEY,
    "jwk" TEXT NOT NULL,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "LedgerCheckpoint" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "hash" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "kid" TEXT NOT NULL,
    "signature" TEXT NOT NULL
);
