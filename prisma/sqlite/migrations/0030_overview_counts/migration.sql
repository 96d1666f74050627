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
    "status" TEXT NOT NULL PRIMARY KEY,
    "count" INTEGER NOT NULL
);

CREATE TABLE "ChainOpenExp" (
    "chainId" TEXT NOT NULL,
    "idx" INTEGER NOT NULL,
    "exp" REAL NOT NULL,

    PRIMARY KEY ("chainId", "idx")
);

CREATE TABLE "PrincipalFindingCount" (
    "principalId" TEXT NOT NULL PRIMARY KEY,
    "count" INTEGER NOT NULL
);

CREATE INDEX "ChainOpenExp_exp_idx" ON "ChainOpenExp"("exp");
CREATE INDEX "PrincipalFindingCount_count_principalId_idx" ON "PrincipalFindingCount"("count" DESC, "principalId");
CREATE INDEX "Chain_status_evidenceDue_idx" ON "Chain"("status", "evidenceDue");
CREATE INDEX "Chain_lastEventAt_id_idx" ON "Chain"("lastEventAt", "id");

INSERT INTO "ChainStatusCount" ("status", "count") SELECT "status", COUNT(*) FROM "Chain" GROUP BY "status";
INSERT INTO "ChainOpenExp" ("chainId", "idx", "exp") SELECT c."id", j."key", j."value" FROM "Chain" c, json_each(c."openGrantExps") j;
INSERT INTO "PrincipalFindingCount" ("principalId", "count") SELECT e."iss", COUNT(*) FROM "Finding" f JOIN "Event" e ON e."jti" = f."eventJti" GROUP BY e."iss";

-- A status that changes moves one chain from the old count to the new (an upsert's DO UPDATE fires
-- the UPDATE triggers, an insert the INSERT ones), an unchanged status (most re-checks) costs the
-- WHEN test only. Likewise the exps, rewritten only when the list changed.
CREATE TRIGGER "Chain_overview_insert" AFTER INSERT ON "Chain" BEGIN
  INSERT INTO "ChainStatusCount" ("status", "count") VALUES (NEW."status", 1) ON CONFLICT ("status") DO UPDATE SET "count" = "count" + 1;
  INSERT INTO "ChainOpenExp" ("chainId", "idx", "exp") SELECT NEW."id", j."key", j."value" FROM json_each(NEW."openGrantExps") j;
END;

CREATE TRIGGER "Chain_overview_status" AFTER UPDATE OF "status" ON "Chain" WHEN OLD."status" IS NOT NEW."status" BEGIN
  UPDATE "ChainStatusCount" SET "count" = "count" - 1 WHERE "status" = OLD."status";
  INSERT INTO "ChainStatusCount" ("status", "count") VALUES (NEW."status", 1) ON CONFLICT ("status") DO UPDATE SET "count" = "count" + 1;
END;

CREATE TRIGGER "Chain_overview_exps" AFTER UPDATE OF "openGrantExps" ON "Chain" WHEN OLD."openGrantExps" IS NOT NEW."openGrantExps" BEGIN
  DELETE FROM "ChainOpenExp" WHERE "chainId" = OLD."id";
  INSERT INTO "ChainOpenExp" ("chainId", "idx", "exp") SELECT NEW."id", j."key", j."value" FROM json_each(NEW."openGrantExps") j;
END;

CREATE TRIGGER "Chain_overview_delete" AFTER DELETE ON "Chain" BEGIN
  UPDATE "ChainStatusCount" SET "count" = "count" - 1 WHERE "status" = OLD."status";
  DELETE FROM "ChainOpenExp" WHERE "chainId" = OLD."id";
END;

-- A finding counts for the signer of its event when both are stored, whichever is written first
-- (ingest writes events first, and the WHEN makes an event with no finding cost one index probe).
CREATE TRIGGER "Finding_overview_insert" AFTER INSERT ON "Finding" BEGIN
  INSERT INTO "PrincipalFindingCount" ("principalId", "count") SELECT e."iss", 1 FROM "Event" e WHERE e."jti" = NEW."eventJti"
    ON CONFLICT ("principalId") DO UPDATE SET "count" = "count" + 1;
END;

CREATE TRIGGER "Finding_overview_delete" AFTER DELETE ON "Finding" BEGIN
  UPDATE "PrincipalFindingCount" SET "count" = "count" - 1 WHERE "principalId" = (SELECT e."iss" FROM "Event" e WHERE e."jti" = OLD."eventJti");
END;

CREATE TRIGGER "Event_overview_insert" AFTER INSERT ON "Event" WHEN EXISTS (SELECT 1 FROM "Finding" f WHERE f."eventJti" = NEW."jti") BEGIN
  INSERT INTO "PrincipalFindingCount" ("principalId", "count") SELECT NEW."iss", COUNT(*) FROM "Finding" f WHERE f."eventJti" = NEW."jti"
    ON CONFLICT ("principalId") DO UPDATE SET "count" = "count" + excluded."count";
END;
