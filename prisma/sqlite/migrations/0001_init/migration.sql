-- CreateTable
CREATE TABLE "Principal" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "kind" TEXT NOT NULL,
    "name" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "PrincipalKey" (
    "principalId" TEXT NOT NULL,
    "kid" TEXT NOT NULL,
    "jwk" TEXT NOT NULL,
    "thumbprint" TEXT NOT NULL,
    "revokedAt" REAL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("principalId", "kid"),
    CONSTRAINT "PrincipalKey_principalId_fkey" FOREIGN KEY ("principalId") REFERENCES "Principal" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Event" (
    "seq" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "jti" TEXT NOT NULL,
    "chainId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "iss" TEXT NOT NULL,
    "aud" TEXT,
    "ref" TEXT,
    "iat" REAL NOT NULL,
    "exp" REAL,
    "status" TEXT NOT NULL,
    "alg" TEXT NOT NULL,
    "kid" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "claims" TEXT NOT NULL,
    "purposeCode" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Finding" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "chainId" TEXT NOT NULL,
    "eventJti" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    CONSTRAINT "Finding_chainId_fkey" FOREIGN KEY ("chainId") REFERENCES "Chain" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "Chain" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "status" TEXT NOT NULL,
    "rootJti" TEXT,
    "rootIss" TEXT,
    "rootAud" TEXT,
    "purposeCode" TEXT,
    "purposeText" TEXT,
    "startedAt" REAL NOT NULL,
    "hopCount" INTEGER NOT NULL,
    "eventCount" INTEGER NOT NULL,
    "criticalCount" INTEGER NOT NULL,
    "errorCount" INTEGER NOT NULL,
    "warningCount" INTEGER NOT NULL,
    "findingCodes" TEXT NOT NULL,
    "evidenceDue" REAL,
    "openGrantExps" TEXT NOT NULL,
    "searchText" TEXT NOT NULL,
    "lastEventAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "ChainScope" (
    "chainId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,

    PRIMARY KEY ("chainId", "scope"),
    CONSTRAINT "ChainScope_chainId_fkey" FOREIGN KEY ("chainId") REFERENCES "Chain" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ChainPrincipal" (
    "chainId" TEXT NOT NULL,
    "principalId" TEXT NOT NULL,

    PRIMARY KEY ("chainId", "principalId"),
    CONSTRAINT "ChainPrincipal_chainId_fkey" FOREIGN KEY ("chainId") REFERENCES "Chain" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ChainPurpose" (
    "chainId" TEXT NOT NULL,
    "purposeCode" TEXT NOT NULL,

    PRIMARY KEY ("chainId", "purposeCode"),
    CONSTRAINT "ChainPurpose_chainId_fkey" FOREIGN KEY ("chainId") REFERENCES "Chain" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LedgerHead" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "Quarantine" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "jti" TEXT,
    "code" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "raw" TEXT NOT NULL
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT,
    "revokedAt" DATETIME,
    "lastUsedAt" DATETIME
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "role" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabledAt" DATETIME
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "csrf" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "detail" TEXT,
    "ip" TEXT
);

-- CreateTable
CREATE TABLE "LoginAttempt" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "key" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ok" BOOLEAN NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Event_jti_key" ON "Event"("jti");

-- CreateIndex
CREATE INDEX "Event_chainId_seq_idx" ON "Event"("chainId", "seq");

-- CreateIndex
CREATE INDEX "Event_ref_idx" ON "Event"("ref");

-- CreateIndex
CREATE INDEX "Event_iss_idx" ON "Event"("iss");

-- CreateIndex
CREATE INDEX "Finding_chainId_idx" ON "Finding"("chainId");

-- CreateIndex
CREATE INDEX "Finding_code_chainId_idx" ON "Finding"("code", "chainId");

-- CreateIndex
CREATE INDEX "Finding_eventJti_idx" ON "Finding"("eventJti");

-- CreateIndex
CREATE INDEX "Chain_startedAt_id_idx" ON "Chain"("startedAt", "id");

-- CreateIndex
CREATE INDEX "Chain_status_startedAt_idx" ON "Chain"("status", "startedAt");

-- CreateIndex
CREATE INDEX "Chain_evidenceDue_idx" ON "Chain"("evidenceDue");

-- CreateIndex
CREATE INDEX "ChainScope_scope_idx" ON "ChainScope"("scope");

-- CreateIndex
CREATE INDEX "ChainPrincipal_principalId_idx" ON "ChainPrincipal"("principalId");

-- CreateIndex
CREATE INDEX "ChainPurpose_purposeCode_idx" ON "ChainPurpose"("purposeCode");

-- CreateIndex
CREATE INDEX "Quarantine_receivedAt_idx" ON "Quarantine"("receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_hash_key" ON "ApiToken"("hash");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE INDEX "AuditEntry_at_idx" ON "AuditEntry"("at");

-- CreateIndex
CREATE INDEX "LoginAttempt_key_at_idx" ON "LoginAttempt"("key", "at");


-- The ledger head starts empty: seq 0 and 64 zeros (spec §8).
INSERT INTO "LedgerHead" ("id", "seq", "hash") VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
