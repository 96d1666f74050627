-- A counter bumped by every ingest that writes a chain's summary row, so a cached chain read can
-- tell whether it is still current (lib/chains/detail-cache.ts).
ALTER TABLE "Chain" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 0;
