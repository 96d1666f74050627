-- Least privilege: what was done under each grant, counted at ingest (docs/least-privilege.md#storage).
-- Rows are a function of the stored events alone (lib/protocol/least-privilege.ts grantUsesOf), so
-- the backfill below counts every stored event the way ingest counts each new one: an upgraded
-- database answers exactly what it answered before. Statuses do not matter (pending events count,
-- as they always did), rejected events were never stored.
CREATE TABLE "GrantUse" (
    "grantJti" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "iss" TEXT NOT NULL,
    "chainId" TEXT NOT NULL DEFAULT '',
    "use" TEXT NOT NULL,
    "detail" TEXT NOT NULL DEFAULT '',
    "count" INTEGER NOT NULL,
    "last" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "GrantUse_pkey" PRIMARY KEY ("grantJti", "kind", "iss", "chainId", "use", "detail")
);

-- Invokes under a grant: one row per signer and action.
INSERT INTO "GrantUse" ("grantJti", "kind", "iss", "chainId", "use", "detail", "count", "last")
SELECT e."ref", 'invoke', e."iss", '', e."claims"::jsonb ->> 'action', '', COUNT(*), MAX(e."iat")
FROM "Event" e WHERE e."kind" = 'invoke' AND e."ref" IS NOT NULL
GROUP BY e."ref", e."iss", e."claims"::jsonb ->> 'action';

-- The data classes they touched, per action (each listed class once per invoke that lists it).
INSERT INTO "GrantUse" ("grantJti", "kind", "iss", "chainId", "use", "detail", "count", "last")
SELECT e."ref", 'data', e."iss", '', e."claims"::jsonb ->> 'action', d.value, COUNT(*), MAX(e."iat")
FROM "Event" e CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(e."claims"::jsonb -> 'data') = 'array' THEN e."claims"::jsonb -> 'data' ELSE '[]'::jsonb END) AS d(value)
WHERE e."kind" = 'invoke' AND e."ref" IS NOT NULL
GROUP BY e."ref", e."iss", e."claims"::jsonb ->> 'action', d.value;

-- Their http(s) resources, per action (the host is worked out when read, as the egress checks do).
INSERT INTO "GrantUse" ("grantJti", "kind", "iss", "chainId", "use", "detail", "count", "last")
SELECT e."ref", 'resource', e."iss", '', e."claims"::jsonb ->> 'action', e."claims"::jsonb ->> 'resource', COUNT(*), MAX(e."iat")
FROM "Event" e WHERE e."kind" = 'invoke' AND e."ref" IS NOT NULL AND (e."claims"::jsonb ->> 'resource') ~* '^https?:'
GROUP BY e."ref", e."iss", e."claims"::jsonb ->> 'action', e."claims"::jsonb ->> 'resource';

-- Delegates from a grant: one row per signer, the child's chain and delegated scope entry (each
-- entry once per delegate).
INSERT INTO "GrantUse" ("grantJti", "kind", "iss", "chainId", "use", "detail", "count", "last")
SELECT s."ref", 'delegate', s."iss", s."chainId", s.value, '', COUNT(*), MAX(s."iat")
FROM (SELECT DISTINCT e."seq", e."ref", e."iss", e."chainId", e."iat", j.value FROM "Event" e
      CROSS JOIN LATERAL jsonb_array_elements_text(e."claims"::jsonb -> 'scope') AS j(value)
      WHERE e."kind" = 'delegate' AND e."ref" IS NOT NULL AND e."ref" <> e."jti") s
GROUP BY s."ref", s."iss", s."chainId", s.value;

-- Statistics for the new table now, not at the next autovacuum: without them PostgreSQL planned the
-- first reads of 2,000 grants as a scan of every row.
ANALYZE "GrantUse";
