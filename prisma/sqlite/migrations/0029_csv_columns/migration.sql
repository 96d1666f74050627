-- What the CSV audit export shows of an event, stored at ingest (lib/db/csv-columns.ts) so an export
-- reads plain columns: the token's SHA-256 and the kind-dependent claim fields, with whether the row
-- is formatted from its claims instead (csvFromClaims 1, the fields null).
-- Existing rows get the claim fields here, as the export extracted them until now (json_extract, the
-- scope's strings joined by spaces in array order). Their tokenSha256 stays null: SQLite has no
-- SHA-256, and the export hashes a row whose column is null, as it did every row before.
ALTER TABLE "Event" ADD COLUMN "tokenSha256" TEXT;
ALTER TABLE "Event" ADD COLUMN "csvFromClaims" INTEGER;
ALTER TABLE "Event" ADD COLUMN "csvText1" TEXT;
ALTER TABLE "Event" ADD COLUMN "csvText2" TEXT;
ALTER TABLE "Event" ADD COLUMN "csvText3" TEXT;

-- One pass over the table (each UPDATE rewrites every row): the keeps-its-claims test is repeated per column.
UPDATE "Event" SET
  "csvFromClaims" = CASE WHEN ("alg" = 'aip-presented' OR instr("claims", '"aip"') > 0 OR instr("claims", '\u') > 0) THEN 1 ELSE 0 END,
  "csvText1" = CASE WHEN ("alg" = 'aip-presented' OR instr("claims", '"aip"') > 0 OR instr("claims", '\u') > 0) THEN NULL
    WHEN "kind" = 'invoke' THEN json_extract("claims", '$.action') WHEN "kind" = 'complete' THEN json_extract("claims", '$.status')
    WHEN "kind" = 'revoke' THEN json_extract("claims", '$.reason') WHEN "kind" IN ('authorize', 'delegate') THEN json_extract("claims", '$.purpose.text') END,
  "csvText2" = CASE WHEN ("alg" = 'aip-presented' OR instr("claims", '"aip"') > 0 OR instr("claims", '\u') > 0) THEN NULL
    WHEN "kind" = 'invoke' THEN json_extract("claims", '$.resource') WHEN "kind" = 'complete' THEN json_extract("claims", '$.result_hash')
    WHEN "kind" IN ('authorize', 'delegate') THEN coalesce((SELECT group_concat("value", ' ' ORDER BY "key") FROM json_each("claims", '$.scope')), '') END,
  "csvText3" = CASE WHEN ("alg" = 'aip-presented' OR instr("claims", '"aip"') > 0 OR instr("claims", '\u') > 0) THEN NULL WHEN "kind" = 'complete' THEN json_extract("claims", '$.evidence.summary') END;
