-- The chain a refused submission names (read from its unverified payload), so a chain's page can
-- say that something naming it was refused at ingest. Rows quarantined before this have none.
ALTER TABLE "Quarantine" ADD COLUMN "chainId" TEXT;
CREATE INDEX "Quarantine_chainId_id_idx" ON "Quarantine"("chainId", "id");
