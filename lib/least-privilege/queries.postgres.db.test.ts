// The least-privilege read models on PostgreSQL (a fresh database on DATABASE_URL_POSTGRES or
// 127.0.0.1:5432; skipped without a server): see queries-cases.ts and equivalence-cases.ts.
import { afterAll, describe } from "vitest";
import { dropDatabase, postgresTestUrl } from "@/scripts/postgres";
import { defineLeastPrivilegeTests } from "./queries-cases";
import { defineLeastPrivilegeEquivalenceTests } from "./equivalence-cases";

const pg = await postgresTestUrl();
const url = pg ? await pg.fresh() : null;
if (url) {
  process.env.DATABASE_URL = url;
  (await import("@/scripts/migrate")).migrate(url);
  defineLeastPrivilegeTests("postgres");
  defineLeastPrivilegeEquivalenceTests("postgres");
  afterAll(async () => {
    await (await import("@/lib/db")).closeDatabase();
    await dropDatabase(url);
  });
} else {
  describe.skip("least privilege on postgres (no server)", () => {});
}
