-- What the CSV audit export shows of an event, stored at ingest (lib/db/csv-columns.ts) so an export
-- reads plain columns: the token's SHA-256 and the kind-dependent claim fields, with whether the row
-- is formatted from its claims instead (csvFromClaims 1, the fields null).
-- Existing rows get all of it here, as the export computed it until now (sha256 of the token's
-- UTF-8, the claims read as jsonb, the scope's strings joined by spaces in array order). Rows that
-- keep their claims are not cast: jsonb refuses the \u0000 escape.
ALTER TABLE "Event" ADD COLUMN "tokenSha256" TEXT,
ADD COLUMN "csvFromClaims" INTEGER,
ADD COLUMN "csvText1" TEXT,
ADD COLUMN "csvText2" TEXT,
ADD COLUMN "csvText3" TEXT;

-- One UPDATE, one pass over the table (each rewrites every row).
UPDATE "Event" AS e SET
  "tokenSha256" = encode(sha256(convert_to(e."token", 'UTF8')), 'hex'),
  "csvFromClaims" = CASE WHEN j.k THEN 1 ELSE 0 END,
  "csvText1" = CASE e."kind" WHEN 'invoke' THEN j.c->>'action' WHEN 'complete' THEN j.c->>'status' WHEN 'revoke' THEN j.c->>'reason'
    WHEN 'authorize' THEN j.c->'purpose'->>'text' WHEN 'delegate' THEN j.c->'purpose'->>'text' END,
  "csvText2" = CASE WHEN j.c IS NULL THEN NULL WHEN e."kind" = 'invoke' THEN j.c->>'resource' WHEN e."kind" = 'complete' THEN j.c->>'result_hash'
    WHEN e."kind" IN ('authorize', 'delegate') THEN
      (SELECT coalesce(string_agg(s.v, ' ' ORDER BY s.n), '') FROM jsonb_array_elements_text(j.c->'scope') WITH ORDINALITY AS s(v, n)) END,
  "csvText3" = CASE e."kind" WHEN 'complete' THEN j.c->'evidence'->>'summary' END
FROM (
  SELECT x."seq", x.k, CASE WHEN x.k THEN NULL ELSE x."claims"::jsonb END AS c
  FROM (SELECT "seq", "claims", ("alg" = 'aip-presented' OR strpos("claims", '"aip"') > 0 OR strpos("claims", '\u') > 0) AS k FROM "Event") AS x
) AS j
WHERE e."seq" = j."seq";
