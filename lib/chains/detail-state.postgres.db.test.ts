// The chain detail kept between rebuilds on PostgreSQL (a fresh database on DATABASE_URL_POSTGRES or
// 127.0.0.1:5432; skipped without a server): see detail-state-cases.ts.
import { afterAll, describe } from "vitest";
import { dropDatabase, postgresTestUrl } from "@/scripts/postgres";
import { defineDetailStateTests } from "./detail-state-cases";

const pg = await postgresTestUrl();
const url = pg ? await pg.fresh() : null;
if (url) {
  process.env.DATABASE_URL = url;
  (await import("@/scripts/migrate")).migrate(url);
  defineDetailStateTests("postgres");
  afterAll(async () => {
    await (await import("@/lib/db")).closeDatabase();
    await dropDatabase(url);
  });
} else {
  describe.skip("the chain detail kept between rebuilds on postgres (no server)", () => {});
}
