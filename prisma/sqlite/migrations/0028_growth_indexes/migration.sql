-- Reads that grew faster than the page they return (docs/benchmarks.md "Growth"):
-- 1. The Findings page lists newest first by the flagged event's iat: it joined every finding to its
--    event and sorted them all. Finding now keeps the event's iat (written with the finding, events
--    never change, null when no stored event has the jti, which the join left out too), and the
--    (iat, id) index serves the page's order and its keyset cursor.
-- 2. The chain list's `principal` filter walked Chain newest first testing each chain, the whole
--    table for a principal in few chains. ChainPrincipal repeats its chain's startedAt (rewritten
--    with the chain), and (principalId, startedAt, chainId) is the list's order for one principal,
--    it replaces the (principalId) index, its prefix.
-- Existing rows are filled from Event and Chain here.
ALTER TABLE "Finding" ADD COLUMN "iat" REAL;
UPDATE "Finding" SET "iat" = (SELECT e."iat" FROM "Event" e WHERE e."jti" = "Finding"."eventJti");
CREATE INDEX "Finding_iat_id_idx" ON "Finding"("iat", "id");

ALTER TABLE "ChainPrincipal" ADD COLUMN "startedAt" REAL NOT NULL DEFAULT 0;
UPDATE "ChainPrincipal" SET "startedAt" = COALESCE((SELECT c."startedAt" FROM "Chain" c WHERE c."id" = "ChainPrincipal"."chainId"), 0);
DROP INDEX "ChainPrincipal_principalId_idx";
CREATE INDEX "ChainPrincipal_principalId_startedAt_chainId_idx" ON "ChainPrincipal"("principalId", "startedAt", "chainId");
