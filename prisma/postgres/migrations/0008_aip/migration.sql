-- AIP import (shared/spec/aip-import.md §3): the windows of an identity document's keys and the
-- document itself, kept as published. AIP tokens are stored as events of chains with source "aip".
ALTER TABLE "PrincipalKey" ADD COLUMN "validFrom" DOUBLE PRECISION;
ALTER TABLE "PrincipalKey" ADD COLUMN "validUntil" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "AipDocument" (
    "principalId" TEXT NOT NULL,
    "document" TEXT NOT NULL,
    "signatureForm" TEXT NOT NULL,
    "signedBy" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AipDocument_pkey" PRIMARY KEY ("principalId")
);

-- AddForeignKey
ALTER TABLE "AipDocument" ADD CONSTRAINT "AipDocument_principalId_fkey" FOREIGN KEY ("principalId") REFERENCES "Principal"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
