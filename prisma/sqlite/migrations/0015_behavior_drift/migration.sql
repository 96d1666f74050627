-- Behavioural drift (docs/least-privilege.md#behavioural-drift). The judgement of an invoke against
-- its signer's baseline at receipt (JSON, null when none): what behavior_drift is decided from on
-- every later re-check, read and export.
ALTER TABLE "Event" ADD COLUMN "drift" TEXT;

-- One baseline per principal and purpose, updated in the ingest transaction (never rescanned).
CREATE TABLE "DriftBaseline" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "principal" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "first" REAL NOT NULL,
    "latest" REAL NOT NULL,
    "events" INTEGER NOT NULL
);

CREATE TABLE "DriftValue" (
    "key" TEXT NOT NULL,
    "aspect" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "last" REAL NOT NULL,

    PRIMARY KEY ("key", "aspect", "value")
);
CREATE INDEX "DriftValue_key_last_idx" ON "DriftValue"("key", "last");

CREATE TABLE "DriftBucket" (
    "key" TEXT NOT NULL,
    "bucket" INTEGER NOT NULL,
    "events" INTEGER NOT NULL,
    "action" INTEGER NOT NULL,
    "resource" INTEGER NOT NULL,
    "data" INTEGER NOT NULL,
    "host" INTEGER NOT NULL,

    PRIMARY KEY ("key", "bucket")
);
