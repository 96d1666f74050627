import { describe, expect, it } from "vitest";
import { compareDatabases } from "./compare";
import type { TBenchReport } from "./report";

const report = (runs: [number, boolean, number, number, number][], list: [string, number][], storedEvents: number) =>
  ({
    ingest: {
      runs: runs.map(([batchSize, interleaved, eventsPerSec, rawVerifyPerSec, load]) => ({
        batchSize,
        interleaved,
        eventsPerSec,
        rawVerifyPerSec,
        load: [load, 0, 0],
      })),
    },
    chainQuery: { storedEvents, list: list.map(([filter, p95Ms]) => ({ filter, p95Ms })) },
  }) as unknown as TBenchReport;

describe("PostgreSQL beside SQLite (--database both)", () => {
  it("pairs runs by batch size and interleaving, and filters by name, as shares of SQLite's", () => {
    const sqlite = report(
      [
        [100, false, 5000, 18000, 1.5],
        [1000, false, 8000, 18000, 2],
        [100, true, 4000, 16000, 2.5],
      ],
      [
        ["none (first page)", 8],
        ["scope=x", 30],
      ],
      141_000,
    );
    const postgres = report(
      [
        [100, true, 2000, 8000, 4],
        [100, false, 4000, 9000, 3],
      ],
      [["scope=x", 45]],
      141_100,
    );
    expect(compareDatabases(sqlite, postgres)).toEqual({
      ingest: [
        {
          batchSize: 100,
          interleaved: false,
          sqliteEventsPerSec: 5000,
          postgresEventsPerSec: 4000,
          share: 0.8,
          shareOfRawShares: 1.6,
          loads: [1.5, 3],
        },
        { batchSize: 100, interleaved: true, sqliteEventsPerSec: 4000, postgresEventsPerSec: 2000, share: 0.5, shareOfRawShares: 1, loads: [2.5, 4] },
      ],
      list: [{ filter: "scope=x", sqliteP95Ms: 30, postgresP95Ms: 45 }],
      storedEvents: [141_000, 141_100],
    });
  });
});
