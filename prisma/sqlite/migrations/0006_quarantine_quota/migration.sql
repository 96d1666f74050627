-- A quarantine quota per sender (lib/ingest/quarantine.ts): who sent each rejected submission, its
-- size, and a running total per sender. Rows stored before this have no sender and count for none.
ALTER TABLE "Quarantine" ADD COLUMN "source" TEXT;
ALTER TABLE "Quarantine" ADD COLUMN "bytes" INTEGER NOT NULL DEFAULT 0;
UPDATE "Quarantine" SET "bytes" = length(CAST("raw" AS BLOB));
CREATE INDEX "Quarantine_source_id_idx" ON "Quarantine"("source", "id");

CREATE TABLE "QuarantineUsage" (
    "source" TEXT NOT NULL PRIMARY KEY,
    "bytes" INTEGER NOT NULL,
    "rows" INTEGER NOT NULL
);
