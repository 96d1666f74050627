// The ingest's two phases on PostgreSQL (a fresh database on DATABASE_URL_POSTGRES or 127.0.0.1:5432;
// skipped without a server): see phase-cases.ts. checkChain is wrapped to record its calls.
import { afterAll, describe, vi } from "vitest";
import { dropDatabase, postgresTestUrl } from "@/scripts/postgres";
import { definePhaseTests } from "./phase-cases";

const log = vi.hoisted(() => ({ ops: [] as string[] }));
vi.mock("@/lib/protocol/chain", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/protocol/chain")>();
  return { ...actual, checkChain: (input: Parameters<typeof actual.checkChain>[0]) => (log.ops.push("checkChain"), actual.checkChain(input)) };
});

const pg = await postgresTestUrl();
const url = pg ? await pg.fresh() : null;
if (url) {
  process.env.DATABASE_URL = url;
  (await import("@/scripts/migrate")).migrate(url);
  definePhaseTests("postgres", log);
  afterAll(async () => {
    await (await (await import("@/lib/db")).db()).$disconnect();
    await dropDatabase(url);
  });
} else {
  describe.skip("ingest phases on postgres (no server)", () => {});
}
