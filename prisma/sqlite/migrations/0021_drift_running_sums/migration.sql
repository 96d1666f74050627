-- Behavioural drift: the running sums of the window in the baseline row (docs/least-privilege.md#behavioural-drift).
-- Invariant: sum* = the sums of the DriftBucket rows of the baseline with "bucket" >= "since". Ingest adds
-- every upserted bucket at or after "since" and, when the window slides, subtracts the buckets it
-- prunes and moves "since". A batch then reads one row per baseline instead of a month of buckets.
ALTER TABLE "DriftBaseline" ADD COLUMN "since" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "DriftBaseline" ADD COLUMN "sumEvents" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "DriftBaseline" ADD COLUMN "sumAction" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "DriftBaseline" ADD COLUMN "sumResource" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "DriftBaseline" ADD COLUMN "sumData" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "DriftBaseline" ADD COLUMN "sumHost" INTEGER NOT NULL DEFAULT 0;

-- Existing baselines: every stored bucket counted (since = the oldest one), which holds the invariant.
UPDATE "DriftBaseline" SET
  "since" = COALESCE((SELECT MIN(b."bucket") FROM "DriftBucket" b WHERE b."key" = "DriftBaseline"."key"), 0),
  "sumEvents" = COALESCE((SELECT SUM(b."events") FROM "DriftBucket" b WHERE b."key" = "DriftBaseline"."key"), 0),
  "sumAction" = COALESCE((SELECT SUM(b."action") FROM "DriftBucket" b WHERE b."key" = "DriftBaseline"."key"), 0),
  "sumResource" = COALESCE((SELECT SUM(b."resource") FROM "DriftBucket" b WHERE b."key" = "DriftBaseline"."key"), 0),
  "sumData" = COALESCE((SELECT SUM(b."data") FROM "DriftBucket" b WHERE b."key" = "DriftBaseline"."key"), 0),
  "sumHost" = COALESCE((SELECT SUM(b."host") FROM "DriftBucket" b WHERE b."key" = "DriftBaseline"."key"), 0);
