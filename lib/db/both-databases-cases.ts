// For db tests that hold one store per database side by side: the SQLite side always, the
// PostgreSQL side when a server answers (scripts/postgres.ts), each opened and filled by the test's
// own `open`, closed and dropped after the file's tests.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { migrationStatements } from "@/scripts/migrate";
import { dropDatabase, type postgresTestUrl } from "@/scripts/postgres";
import type { TDatabase } from "./connect";

type TSide = { db: TDatabase; drop?: () => Promise<void> };
type TOpen<T> = (name: "sqlite" | "postgres", url: string, drop?: () => Promise<void>) => Promise<T>;

/** Registers the beforeAll that pushes each side onto `sides` and the afterAll that closes and drops them. */
export function openBothDatabases<T extends TSide>(
  sides: T[],
  pg: Awaited<ReturnType<typeof postgresTestUrl>>,
  tag: string,
  open: TOpen<T>,
  timeoutMs = 120_000,
): void {
  beforeAll(async () => {
    sides.push(await open("sqlite", "file:" + join(mkdtempSync(join(tmpdir(), `delegraph-${tag}-`)), `${tag}.db`)));
    if (pg) {
      const url = await pg.fresh();
      sides.push(await open("postgres", url, () => dropDatabase(url)));
    }
  }, timeoutMs);
  afterAll(async () => {
    for (const side of sides) {
      await side.db.close();
      await side.drop?.();
    }
  });
}

/**
 * Runs a migration's statements that begin with `verb` again (its fill of existing rows), as an
 * upgraded database ran them, through the test's Prisma client; `keep` picks among them. Returns
 * how many ran, so a test can pin the statements it means to replay.
 */
export async function replayMigration(
  db: Pick<TDatabase, "prisma">,
  provider: "sqlite" | "postgres",
  migration: string,
  verb: string,
  keep: (statement: string) => boolean = () => true,
): Promise<number> {
  const statements = migrationStatements(provider, migration, verb).filter(keep);
  for (const st of statements) await db.prisma.$executeRawUnsafe(st);
  return statements.length;
}

/**
 * A `Chain` row written straight into a store for a read's test: one hop, one event, no findings,
 * no open grants, no search text unless given, its last event at a fixed instant. The test names
 * what its read looks at (id, status, startedAt, and any other column it needs).
 */
export function quietChainRow<T extends { id: string; status: string; startedAt: number }>(fields: T) {
  return {
    hopCount: 1,
    eventCount: 1,
    criticalCount: 0,
    errorCount: 0,
    warningCount: 0,
    findingCodes: "",
    openGrantExps: "[]",
    searchText: "",
    lastEventAt: new Date("2026-01-02T03:04:05.000Z"),
    ...fields,
  };
}
