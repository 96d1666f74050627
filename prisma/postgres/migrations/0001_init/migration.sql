-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Principal" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "name" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Principal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PrincipalKey" (
    "principalId" TEXT NOT NULL,
    "kid" TEXT NOT NULL,
    "jwk" TEXT NOT NULL,
    "thumbprint" TEXT NOT NULL,
    "revokedAt" DOUBLE PRECISION,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PrincipalKey_pkey" PRIMARY KEY ("principalId","kid")
);

-- CreateTable
CREATE TABLE "Event" (
    "seq" INTEGER NOT NULL,
    "jti" TEXT NOT NULL,
    "chainId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "iss" TEXT NOT NULL,
    "aud" TEXT,
    "ref" TEXT,
    "iat" DOUBLE PRECISION NOT NULL,
    "exp" DOUBLE PRECISION,
    "status" TEXT NOT NULL,
    "alg" TEXT NOT NULL,
    "kid" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "claims" TEXT NOT NULL,
    "purposeCode" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "Finding" (
    "id" SERIAL NOT NULL,
    "chainId" TEXT NOT NULL,
    "eventJti" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "message" TEXT NOT NULL,

    CONSTRAINT "Finding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Chain" (
    "id" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "rootJti" TEXT,
    "rootIss" TEXT,
    "rootAud" TEXT,
    "purposeCode" TEXT,
    "purposeText" TEXT,
    "startedAt" DOUBLE PRECISION NOT NULL,
    "hopCount" INTEGER NOT NULL,
    "eventCount" INTEGER NOT NULL,
    "criticalCount" INTEGER NOT NULL,
    "errorCount" INTEGER NOT NULL,
    "warningCount" INTEGER NOT NULL,
    "findingCodes" TEXT NOT NULL,
    "evidenceDue" DOUBLE PRECISION,
    "openGrantExps" TEXT NOT NULL,
    "searchText" TEXT NOT NULL,
    "lastEventAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Chain_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChainScope" (
    "chainId" TEXT NOT NULL,
    "scope" TEXT NOT NULL,

    CONSTRAINT "ChainScope_pkey" PRIMARY KEY ("chainId","scope")
);

-- CreateTable
CREATE TABLE "ChainPrincipal" (
    "chainId" TEXT NOT NULL,
    "principalId" TEXT NOT NULL,

    CONSTRAINT "ChainPrincipal_pkey" PRIMARY KEY ("chainId","principalId")
);

-- CreateTable
CREATE TABLE "ChainPurpose" (
    "chainId" TEXT NOT NULL,
    "purposeCode" TEXT NOT NULL,

    CONSTRAINT "ChainPurpose_pkey" PRIMARY KEY ("chainId","purposeCode")
);

-- CreateTable
CREATE TABLE "LedgerHead" (
    "id" INTEGER NOT NULL,
    "seq" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "LedgerHead_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Quarantine" (
    "id" SERIAL NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "jti" TEXT,
    "code" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    "raw" TEXT NOT NULL,

    CONSTRAINT "Quarantine_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdBy" TEXT,
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT,
    "role" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabledAt" TIMESTAMP(3),

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "csrf" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEntry" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "target" TEXT,
    "detail" TEXT,
    "ip" TEXT,

    CONSTRAINT "AuditEntry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoginAttempt" (
    "id" SERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ok" BOOLEAN NOT NULL,

    CONSTRAINT "LoginAttempt_pkey" PRIMARY KEY ("id")
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

-- AddForeignKey
ALTER TABLE "PrincipalKey" ADD CONSTRAINT "PrincipalKey_principalId_fkey" FOREIGN KEY ("principalId") REFERENCES "Principal"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_chainId_fkey" FOREIGN KEY ("chainId") REFERENCES "Chain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChainScope" ADD CONSTRAINT "ChainScope_chainId_fkey" FOREIGN KEY ("chainId") REFERENCES "Chain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChainPrincipal" ADD CONSTRAINT "ChainPrincipal_chainId_fkey" FOREIGN KEY ("chainId") REFERENCES "Chain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChainPurpose" ADD CONSTRAINT "ChainPurpose_chainId_fkey" FOREIGN KEY ("chainId") REFERENCES "Chain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;


-- The ledger head starts empty: seq 0 and 64 zeros (spec §8).
INSERT INTO "LedgerHead" ("id", "seq", "hash") VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
