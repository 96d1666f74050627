// `--database both`: the same benchmark on SQLite and then on PostgreSQL, started back to back by
// one command, and PostgreSQL's figures as a share of SQLite's (issue 16: PostgreSQL ingest at
// least 0.67 of SQLite's in the same run, every chain-list filter p95 ≤ 50 ms at 1M events).
// The two runs are minutes apart on a shared machine, so each ingest figure is also put beside the
// all-core raw Ed25519 rate measured just before it: the share of those shares is the comparison
// that load drift between the two runs moves least.
import type { TBenchReport } from "./report";

export const PG_INGEST_SHARE_TARGET = 0.67;
export const PG_LIST_P95_TARGET_MS = 50;

export type TDatabaseComparison = {
  ingest: {
    batchSize: number;
    interleaved: boolean;
    sqliteEventsPerSec: number;
    postgresEventsPerSec: number;
    /** PostgreSQL's events/s over SQLite's */
    share: number;
    /** the same, each run's events/s first divided by the raw verify rate measured just before it */
    shareOfRawShares: number;
    loads: [number, number];
  }[];
  list: { filter: string; sqliteP95Ms: number; postgresP95Ms: number }[];
  /** events stored when the lists were read, on each */
  storedEvents: [number, number];
};

const round2 = (x: number) => Math.round(x * 100) / 100;

export function compareDatabases(sqlite: TBenchReport, postgres: TBenchReport): TDatabaseComparison {
  const ingest = sqlite.ingest.runs.flatMap((s) => {
    const p = postgres.ingest.runs.find((r) => r.batchSize === s.batchSize && r.interleaved === s.interleaved);
    if (!p) return [];
    return [
      {
        batchSize: s.batchSize,
        interleaved: s.interleaved,
        sqliteEventsPerSec: s.eventsPerSec,
        postgresEventsPerSec: p.eventsPerSec,
        share: round2(p.eventsPerSec / s.eventsPerSec),
        shareOfRawShares: round2(p.eventsPerSec / p.rawVerifyPerSec / (s.eventsPerSec / s.rawVerifyPerSec)),
        loads: [s.load[0], p.load[0]] as [number, number],
      },
    ];
  });
  const list = sqlite.chainQuery.list.flatMap((s) => {
    const p = postgres.chainQuery.list.find((r) => r.filter === s.filter);
    return p ? [{ filter: s.filter, sqliteP95Ms: s.p95Ms, postgresP95Ms: p.p95Ms }] : [];
  });
  return { ingest, list, storedEvents: [sqlite.chainQuery.storedEvents, postgres.chainQuery.storedEvents] };
}

export function printComparison(c: TDatabaseComparison): void {
  console.log(`\nPostgreSQL beside SQLite (run back to back; events stored at the reads: ${c.storedEvents[0]} / ${c.storedEvents[1]})\n`);
  console.log("| ingest | SQLite events/s | PostgreSQL events/s | PostgreSQL/SQLite | same, per raw verify rate | target | load 1m |");
  console.log("|---|---|---|---|---|---|---|");
  for (const r of c.ingest) {
    const met = r.share >= PG_INGEST_SHARE_TARGET ? "met" : "missed";
    console.log(
      `| batches of ${r.batchSize}${r.interleaved ? ", interleaved" : ""} | ${r.sqliteEventsPerSec} | ${r.postgresEventsPerSec} | ${r.share} | ${r.shareOfRawShares} | ≥ ${PG_INGEST_SHARE_TARGET}: ${met} | ${r.loads.join(" / ")} |`,
    );
  }
  console.log("\n| chain list filter | SQLite p95 ms | PostgreSQL p95 ms | target (at 1M events) |");
  console.log("|---|---|---|---|");
  for (const l of c.list) {
    console.log(
      `| ${l.filter} | ${l.sqliteP95Ms} | ${l.postgresP95Ms} | ≤ ${PG_LIST_P95_TARGET_MS}: ${l.postgresP95Ms <= PG_LIST_P95_TARGET_MS ? "met" : "missed"} |`,
    );
  }
}
