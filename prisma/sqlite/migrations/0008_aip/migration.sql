-- AIP import (shared/spec/aip-import.md §3): the windows of an identity document's keys and the
-- document itself, kept as published. AIP tokens are stored as events of chains with source "aip".
ALTER TABLE "PrincipalKey" ADD COLUMN "validFrom" REAL;
ALTER TABLE "PrincipalKey" ADD COLUMN "validUntil" REAL;

-- CreateTable
CREATE TABLE "AipDocument" (
    "principalId" TEXT NOT NULL PRIMARY KEY,
    "document" TEXT NOT NULL,
    "signatureForm" TEXT NOT NULL,
    "signedBy" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AipDocument_principalId_fkey" FOREIGN KEY ("principalId") REFERENCES "Principal" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
