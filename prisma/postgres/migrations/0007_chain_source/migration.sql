-- Where a chain's hops come from (docs/protocol.md §8): dep, aip, otel or capture. Every chain stored
-- before this came from signed delegation events.
ALTER TABLE "Chain" ADD COLUMN "source" TEXT NOT NULL DEFAULT 'dep';
CREATE INDEX "Chain_source_startedAt_idx" ON "Chain"("source", "startedAt");
