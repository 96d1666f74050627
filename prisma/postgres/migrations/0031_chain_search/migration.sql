-- The chain list's q filter (a substring of Chain.searchText, stored lowercase) was a LIKE with
-- no index: the page and its count read every chain (docs/benchmarks.md "Growth"). A GIN trigram
-- index (pg_trgm) serves the same LIKE that Prisma sends for contains, so the statement and its
-- answers do not change. The planner reads the index for patterns of three or more characters
-- (shorter ones hold no trigram and keep the scan).
--
-- pg_trgm ships with PostgreSQL (contrib) and is a trusted extension: the database owner, or a
-- role with CREATE on the database, may create it. A deployment whose migrating role may not must
-- have it created once beforehand (docs/postgres.md "Extensions: pg_trgm"), and IF NOT EXISTS then
-- skips it. The index is built over the existing chains here. (No semicolons in these comments:
-- the PostgreSQL adapter splits the script on them.)
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "Chain_searchText_trgm_idx" ON "Chain" USING GIN ("searchText" gin_trgm_ops);
