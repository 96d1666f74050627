// The chain list's capped total on PostgreSQL (a fresh database on DATABASE_URL_POSTGRES or
// 127.0.0.1:5432; skipped without a server): see list-total-cases.ts.
import { afterAll, describe } from "vitest";
import { dropDatabase, postgresTestUrl } from "@/scripts/postgres";
import { defineListTotalTests } from "./list-total-cases";

const pg = await postgresTestUrl();
const url = pg ? await pg.fresh() : null;
if (url) {
  process.env.DATABASE_URL = url;
  (await import("@/scripts/migrate")).migrate(url);
  defineListTotalTests("postgres");
  afterAll(async () => {
    await (await import("@/lib/db")).closeDatabase();
    await dropDatabase(url);
  });
} else {
  describe.skip("the chain list's capped total on postgres (no server)", () => {});
}
