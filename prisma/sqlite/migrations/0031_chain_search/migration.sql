-- The chain list's q filter (a substring of Chain.searchText, stored lowercase) was a LIKE with
-- no index: the page and its count read every chain (docs/benchmarks.md "Growth"). An FTS5 trigram
-- index over searchText now names the chains that hold every three-character window of the query,
-- and the list tests just those for the exact substring (lib/db/stores/chains.ts sqliteSearchWhere).
-- Queries under three characters keep the scan.
--
-- Not modelled by Prisma's schema (scripts/migrations.db.test.ts names them):
-- - ChainSearchKey gives each chain a stable integer, the index's rowid: an INTEGER PRIMARY KEY
--   survives VACUUM, which may renumber Chain's implicit rowid, and a trigger finds it by chain id.
-- - ChainSearch is contentless (the text stays in Chain alone) and keeps no positions (detail=none),
--   a smaller index and a cheaper rewrite of a chain at ingest. A row matches a query when it holds
--   all its trigrams, a superset that the exact test on Chain narrows.
-- - Triggers keep both in step with every write of Chain (ingest upserts, observed chains upserted
--   and deleted). A chain's id never changes.
-- Existing chains are indexed here. (No semicolons in these comments: some runners split on them.)
CREATE TABLE "ChainSearchKey" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "chainId" TEXT NOT NULL
);
CREATE UNIQUE INDEX "ChainSearchKey_chainId_key" ON "ChainSearchKey"("chainId");
CREATE VIRTUAL TABLE "ChainSearch" USING fts5("searchText", content='', contentless_delete=1, detail=none, tokenize='trigram');

INSERT INTO "ChainSearchKey" ("chainId") SELECT "id" FROM "Chain" ORDER BY "startedAt", "id";
INSERT INTO "ChainSearch" (rowid, "searchText") SELECT k."id", c."searchText" FROM "ChainSearchKey" k JOIN "Chain" c ON c."id" = k."chainId";

CREATE TRIGGER "Chain_search_insert" AFTER INSERT ON "Chain" BEGIN
    INSERT OR IGNORE INTO "ChainSearchKey" ("chainId") VALUES (new."id");
    INSERT INTO "ChainSearch" (rowid, "searchText") SELECT "id", new."searchText" FROM "ChainSearchKey" WHERE "chainId" = new."id";
END;
CREATE TRIGGER "Chain_search_update" AFTER UPDATE OF "searchText" ON "Chain" WHEN old."searchText" IS NOT new."searchText" BEGIN
    DELETE FROM "ChainSearch" WHERE rowid = (SELECT "id" FROM "ChainSearchKey" WHERE "chainId" = new."id");
    INSERT INTO "ChainSearch" (rowid, "searchText") SELECT "id", new."searchText" FROM "ChainSearchKey" WHERE "chainId" = new."id";
END;
CREATE TRIGGER "Chain_search_delete" AFTER DELETE ON "Chain" BEGIN
    DELETE FROM "ChainSearch" WHERE rowid = (SELECT "id" FROM "ChainSearchKey" WHERE "chainId" = old."id");
    DELETE FROM "ChainSearchKey" WHERE "chainId" = old."id";
END;
