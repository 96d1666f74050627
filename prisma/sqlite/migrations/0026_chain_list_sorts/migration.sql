-- The chain list's sorts (docs/api.md "Sorting the chain list"): one index per order, each ending in
-- the list's tie-break (startedAt, id), so a page of any sort is a walk down an index range from the
-- previous page's last key, never a scan and sort of every chain. The status index gains "id" (the
-- status sort's stretches list newest first by startedAt then id) and replaces its prefix.
DROP INDEX "Chain_status_startedAt_idx";
CREATE INDEX "Chain_status_startedAt_id_idx" ON "Chain"("status", "startedAt", "id");
CREATE INDEX "Chain_hopCount_startedAt_id_idx" ON "Chain"("hopCount", "startedAt", "id");
CREATE INDEX "Chain_findings_sort_idx" ON "Chain"("criticalCount", "errorCount", "warningCount", "startedAt", "id");
CREATE INDEX "Chain_purposeCode_startedAt_id_idx" ON "Chain"("purposeCode", "startedAt", "id");
