// The in-process SQLite ingest with a timer around each step, for ingest-profile.ts and
// ingest-growth.ts: ingestBatch's own steps (verifyBatch, runPhasedSync with ingestSteps, the
// checkpoint), each store operation, each prepared statement, BEGIN and COMMIT timed into the
// Phases the caller holds now. Import it after DATABASE_URL is set (it loads lib/db lazily).
import { readFileSync } from "node:fs";
import type Database from "better-sqlite3";
import type { TSteps, TSyncLock } from "@/lib/db/stores/ingest";

/** Milliseconds by phase name over a run; with `stepCpu`, the process's CPU µs around each as well. */
export class Phases {
  ms = new Map<string, number>();
  cpuUs = new Map<string, number>();
  n = new Map<string, number>();
  constructor(private readonly stepCpu = false) {}
  add(name: string, ms: number, cpuUs = 0) {
    this.ms.set(name, (this.ms.get(name) ?? 0) + ms);
    this.cpuUs.set(name, (this.cpuUs.get(name) ?? 0) + cpuUs);
    this.n.set(name, (this.n.get(name) ?? 0) + 1);
  }
  time<T>(name: string, f: () => T): T {
    const t = performance.now();
    const c = this.stepCpu ? process.cpuUsage() : null;
    try {
      return f();
    } finally {
      const used = c ? process.cpuUsage(c) : null;
      this.add(name, performance.now() - t, used ? used.user + used.system : 0);
    }
  }
}

/** A /proc stat file's fields after the command name (field 3, the state, is [0]). */
export const statFields = (path: string) => {
  const stat = readFileSync(path, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
};

/** CPU µs of a process or thread from its /proc stat file (utime + stime, in clock ticks of 10 ms). */
export const statCpuUs = (path: string) => {
  const fields = statFields(path);
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
};

/** CPU µs of the main thread alone. */
export const mainThreadCpuUs = () => statCpuUs(`/proc/self/task/${process.pid}/stat`);

/** Every statement prepared from now on timed by its first `labelChars` characters. */
export function timePreparedStatements(conn: Database.Database, phases: () => Phases, labelChars: number): void {
  const prepare = conn.prepare.bind(conn);
  conn.prepare = ((sql: string) => {
    const stmt = prepare(sql);
    const label = `sql ${sql.replace(/\s+/g, " ").slice(0, labelChars)}`;
    for (const m of ["run", "all", "get"] as const) {
      const f = stmt[m].bind(stmt);
      (stmt as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => phases().time(label, () => f(...a));
    }
    return stmt;
  }) as typeof conn.prepare;
}

/** BEGIN and COMMIT (whatever goes through exec) timed on the connection itself. */
export function timeExec(conn: Database.Database, phases: () => Phases): void {
  const exec = conn.exec.bind(conn);
  conn.exec = (sql: string) => phases().time(sql.split(" ")[0].toLowerCase(), () => exec(sql));
}

/**
 * ingestBatch's steps on the direct connection, timed into `phases()`; throws when an event is
 * rejected or a duplicate (`name` says whose workload). `stepsJs` times the steps' own JavaScript
 * (the generator's turns) too. `releases()` counts the optimistic scopes released since the last
 * `resetReleases()`.
 */
export async function timedIngest(o: { conn: Database.Database; phases: () => Phases; name: string; stepsJs?: boolean }) {
  const { database } = await import("@/lib/db");
  const ingestModule = await import("@/lib/ingest/ingest");
  const { ingestSteps } = await import("@/lib/ingest/steps");
  const storeModule = await import("@/lib/db/stores/ingest");
  const { writeTransaction } = await import("@/lib/db/sqlite");
  const { checkpointAfterIngest } = await import("@/lib/ledger/checkpoints");
  const db = await database();
  // Older trees have no drift settings: their ingestSteps takes none.
  const drift = (ingestModule as { driftSettings?: () => unknown }).driftSettings?.();
  const { conn, phases } = o;
  const timedStore = (store: Record<string, (...a: unknown[]) => unknown>) =>
    Object.fromEntries(Object.entries(store).map(([k, f]) => [k, (...a: unknown[]) => phases().time(`store.${k}`, () => f(...a))])) as never;
  const unlocked = timedStore(storeModule.sqliteIngestStore(conn) as never);
  let releases = 0;
  const lock = (<R>(inside: (st: never) => R) =>
    writeTransaction(
      conn,
      () => {
        const t = performance.now();
        try {
          const r = inside(timedStore(storeModule.sqliteIngestStore(conn) as never));
          if ((r as { released?: boolean }).released) releases++;
          return r;
        } finally {
          phases().add("(locked scope)", performance.now() - t);
        }
      },
      db.busyTimeoutMs,
    )) as TSyncLock;

  const ingest = async (entries: string[]) => {
    let t = performance.now();
    const candidates = await ingestModule.verifyBatch(entries);
    phases().add("verifyBatch (wall)", performance.now() - t);
    t = performance.now();
    const inner = (ingestSteps as (...a: unknown[]) => TSteps<{ status: string }[]>)(candidates, new Date(), null, drift);
    const steps = o.stepsJs
      ? ({ next: (v: unknown) => phases().time("steps' own JS (generator)", () => inner.next(v)) } as unknown as TSteps<{ status: string }[]>)
      : inner;
    const results = await storeModule.runPhasedSync(steps, unlocked, lock);
    phases().add("run (wall)", performance.now() - t);
    t = performance.now();
    await checkpointAfterIngest(results.filter((r) => r.status === "accepted" || r.status === "pending").length);
    phases().add("checkpoint", performance.now() - t);
    const bad = results.find((r) => r.status === "rejected" || r.status === "duplicate");
    if (bad) throw new Error(`${o.name}: an event was ${bad.status}`);
  };
  return {
    ingest,
    releases: () => releases,
    resetReleases: () => void (releases = 0),
  };
}

/** The batches ingested by `clients` concurrent callers, each taking the next batch when it is done. */
export async function ingestConcurrently(batches: string[][], clients: number, ingest: (entries: string[]) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (i < batches.length) await ingest(batches[i++]);
    }),
  );
}
