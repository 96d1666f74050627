-- The overview's reads grew with the store (docs/benchmarks.md "Growth"): a GROUP BY status over every
-- chain, and two scans capped at 50,000 rows past which the findings chart undercounted silently.
-- 1. Chains per status: ChainStatusCount, kept by triggers on Chain. A trigger, not a write in each
--    store, because every writer of Chain rows must keep it (ingest on its direct connection, the
--    observed store through Prisma, a bench's SQL fill): the count is exact whoever writes, in the
--    writer's own transaction. The read-time warnings (verified chains whose evidence is overdue)
--    are a range count of (status, evidenceDue).
-- 2. Findings over 30 days: a finding counts on the UTC day of its chain's lastEventAt, which moves
--    with each write of the chain (and re-checks replace its findings), so no per-day counter keeps
--    it without rewriting the chain's findings' days: (lastEventAt, id) lets the read walk the chains
--    written in the window and their findings, the window's rows and not the store's.
-- 3. Open grants' exps by day (read-time missing_evidence): one ChainOpenExp row per element of
--    Chain.openGrantExps, kept by triggers, read down its exp index within the window.
-- 4. Principals with the most findings: PrincipalFindingCount, findings per signer of the flagged
--    event, kept by triggers on Finding (and on Event, for a finding written before its event) and
--    read from the top of its (count desc, principalId) index, instead of joining every finding to
--    its event for at most 5,000 principals.
-- Existing rows are counted and copied here, before the triggers exist.
CREATE TABLE "ChainStatusCount" (
    "status" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "ChainStatusCount_pkey" PRIMARY KEY ("status")
);

CREATE TABLE "ChainOpenExp" (
    "chainId" TEXT NOT NULL,
    "idx" INTEGER NOT NULL,
    "exp" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "ChainOpenExp_pkey" PRIMARY KEY ("chainId","idx")
);

CREATE TABLE "PrincipalFindingCount" (
    "principalId" TEXT NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "PrincipalFindingCount_pkey" PRIMARY KEY ("principalId")
);

CREATE INDEX "ChainOpenExp_exp_idx" ON "ChainOpenExp"("exp");
CREATE INDEX "PrincipalFindingCount_count_principalId_idx" ON "PrincipalFindingCount"("count" DESC, "principalId");
CREATE INDEX "Chain_status_evidenceDue_idx" ON "Chain"("status", "evidenceDue");
CREATE INDEX "Chain_lastEventAt_id_idx" ON "Chain"("lastEventAt", "id");

INSERT INTO "ChainStatusCount" ("status", "count") SELECT "status", COUNT(*) FROM "Chain" GROUP BY "status";
INSERT INTO "ChainOpenExp" ("chainId", "idx", "exp")
SELECT c."id", j.ord - 1, j.value::double precision FROM "Chain" c CROSS JOIN LATERAL jsonb_array_elements_text(c."openGrantExps"::jsonb) WITH ORDINALITY AS j(value, ord);
INSERT INTO "PrincipalFindingCount" ("principalId", "count") SELECT e."iss", COUNT(*) FROM "Finding" f JOIN "Event" e ON e."jti" = f."eventJti" GROUP BY e."iss";

-- A status that changes moves one chain from the old count to the new (an upsert's DO UPDATE fires
-- the UPDATE triggers, an insert the INSERT ones), an unchanged status (most re-checks) costs the
-- WHEN test only. Likewise the exps, rewritten only when the list changed. Each branch names OLD or
-- NEW only where the operation has it.
-- Prisma's PostgreSQL adapter applies a migration split at every semicolon (adapter-pg executeScript),
-- so the trigger functions' bodies are escaped strings that spell it \073.
CREATE FUNCTION "chain_overview_status"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP IN (''UPDATE'', ''DELETE'') THEN UPDATE "ChainStatusCount" SET "count" = "count" - 1 WHERE "status" = OLD."status"\073 END IF\073
  IF TG_OP IN (''INSERT'', ''UPDATE'') THEN INSERT INTO "ChainStatusCount" AS s ("status", "count") VALUES (NEW."status", 1)
    ON CONFLICT ("status") DO UPDATE SET "count" = s."count" + 1\073 END IF\073
  RETURN NULL\073
END ';

CREATE FUNCTION "chain_overview_exps"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP IN (''UPDATE'', ''DELETE'') THEN DELETE FROM "ChainOpenExp" WHERE "chainId" = OLD."id"\073 END IF\073
  IF TG_OP IN (''INSERT'', ''UPDATE'') THEN INSERT INTO "ChainOpenExp" ("chainId", "idx", "exp")
    SELECT NEW."id", j.ord - 1, j.value::double precision FROM jsonb_array_elements_text(NEW."openGrantExps"::jsonb) WITH ORDINALITY AS j(value, ord)\073 END IF\073
  RETURN NULL\073
END ';

CREATE TRIGGER "Chain_overview_status_insert_delete" AFTER INSERT OR DELETE ON "Chain" FOR EACH ROW EXECUTE FUNCTION "chain_overview_status"();
CREATE TRIGGER "Chain_overview_status_update" AFTER UPDATE OF "status" ON "Chain" FOR EACH ROW
  WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "chain_overview_status"();
CREATE TRIGGER "Chain_overview_exps_insert_delete" AFTER INSERT OR DELETE ON "Chain" FOR EACH ROW EXECUTE FUNCTION "chain_overview_exps"();
CREATE TRIGGER "Chain_overview_exps_update" AFTER UPDATE OF "openGrantExps" ON "Chain" FOR EACH ROW
  WHEN (OLD."openGrantExps" IS DISTINCT FROM NEW."openGrantExps") EXECUTE FUNCTION "chain_overview_exps"();

-- A finding counts for the signer of its event when both are stored, whichever is written first
-- (ingest writes events first). Once per statement over its rows (transition tables): ingest writes
-- a batch's findings and events in one statement each. Each row's partner is looked up by index
-- (LATERAL … OFFSET 0): the planner cannot see a transition table's size and could otherwise hash
-- it against a scan of Event or Finding.
CREATE FUNCTION "finding_overview_insert"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO "PrincipalFindingCount" AS c ("principalId", "count")
  SELECT e."iss", COUNT(*) FROM new_findings f CROSS JOIN LATERAL (SELECT x."iss" FROM "Event" x WHERE x."jti" = f."eventJti" OFFSET 0) e
  GROUP BY e."iss" ORDER BY e."iss"
  ON CONFLICT ("principalId") DO UPDATE SET "count" = c."count" + excluded."count"\073
  RETURN NULL\073
END ';

CREATE FUNCTION "finding_overview_delete"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  UPDATE "PrincipalFindingCount" c SET "count" = c."count" - d.n
  FROM (SELECT e."iss", COUNT(*) AS n FROM old_findings f CROSS JOIN LATERAL (SELECT x."iss" FROM "Event" x WHERE x."jti" = f."eventJti" OFFSET 0) e
        GROUP BY e."iss") d
  WHERE c."principalId" = d."iss"\073
  RETURN NULL\073
END ';

CREATE FUNCTION "event_overview_insert"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  INSERT INTO "PrincipalFindingCount" AS c ("principalId", "count")
  SELECT n."iss", COUNT(*) FROM new_events n CROSS JOIN LATERAL (SELECT 1 FROM "Finding" x WHERE x."eventJti" = n."jti" OFFSET 0) f
  GROUP BY n."iss" ORDER BY n."iss"
  ON CONFLICT ("principalId") DO UPDATE SET "count" = c."count" + excluded."count"\073
  RETURN NULL\073
END ';

CREATE TRIGGER "Finding_overview_insert" AFTER INSERT ON "Finding" REFERENCING NEW TABLE AS new_findings
  FOR EACH STATEMENT EXECUTE FUNCTION "finding_overview_insert"();
CREATE TRIGGER "Finding_overview_delete" AFTER DELETE ON "Finding" REFERENCING OLD TABLE AS old_findings
  FOR EACH STATEMENT EXECUTE FUNCTION "finding_overview_delete"();
CREATE TRIGGER "Event_overview_insert" AFTER INSERT ON "Event" REFERENCING NEW TABLE AS new_events
  FOR EACH STATEMENT EXECUTE FUNCTION "event_overview_insert"();

-- Statistics for the new tables now, not at the next autovacuum (see 0027).
ANALYZE "ChainStatusCount";
ANALYZE "ChainOpenExp";
ANALYZE "PrincipalFindingCount";
