// The ingest's two phases (lib/ingest/steps.ts) on a real database, written once and run on both:
// phases.db.test.ts (SQLite) and phases.postgres.db.test.ts (PostgreSQL). The stores are the production
// ones, wrapped to record the order of operations; checkChain is wrapped by the test files (vi.mock)
// to record its calls in the same log. Another batch is made to land between a batch's unlocked
// check and its lock by running it just before the lock is taken.
import { beforeAll, describe, expect, it } from "vitest";
import type { TCandidate, TIngestResult } from "@/lib/ingest/steps";
import type { TAsyncIngestStore, TIngestStore, TLockedReadQuery } from "@/lib/db/stores/ingest";
import { makeKey, signToken, type TTestKey } from "@/lib/protocol/test-helpers";
import type { TPrincipalKind } from "@/lib/protocol/types";

/** `reads`: what each lockHeadAndRead asked for (kept by the recording store when present). */
export type TOpLog = { ops: string[]; reads?: TLockedReadQuery[] };

type TActor = { id: string; key: TTestKey };

let n = 0;
const unique = (p: string) => `${p}-${Date.now().toString(36)}-${(n++).toString(36)}`;
const now = () => Math.floor(Date.now() / 1000);

function recording<S extends TIngestStore | TAsyncIngestStore>(store: S, log: TOpLog): S {
  return Object.fromEntries(
    Object.entries(store).map(([op, f]) => [
      op,
      (...args: unknown[]) => {
        log.ops.push(op);
        if (op === "lockHeadAndRead") (log.reads ??= []).push(args[0] as TLockedReadQuery);
        return (f as (...a: unknown[]) => unknown)(...args);
      },
    ]),
  ) as S;
}

/**
 * Runs one batch through the production runner and stores, with every store operation and the lock
 * recorded in `log`, and `beforeLock` (another batch, say) run each time just before the lock.
 */
export type TRunBatch = (candidates: TCandidate[], log: TOpLog, beforeLock?: (attempt: number) => Promise<void>) => Promise<TIngestResult[]>;

export async function runner(kind: "sqlite" | "postgres", wrap = recording): Promise<TRunBatch> {
  const { ingestSteps } = await import("@/lib/ingest/steps");
  const ingest = await import("@/lib/db/stores/ingest");
  const db = await (await import("@/lib/db")).database();
  if (kind === "sqlite") {
    const conn = db.sqlite!;
    const lock = ingest.sqliteIngestLock(conn, db.busyTimeoutMs);
    return async (candidates, log, beforeLock) => {
      let attempt = 0;
      return ingest.runPhasedSync(ingestSteps(candidates, new Date()), wrap(ingest.sqliteIngestStore(conn), log), async (inside) => {
        await beforeLock?.(++attempt);
        log.ops.push("lock");
        const out = await lock((store) => inside(wrap(store, log)));
        log.ops.push("unlock");
        return out;
      });
    };
  }
  const lock = ingest.postgresIngestLock(db);
  return async (candidates, log, beforeLock) => {
    let attempt = 0;
    return ingest.runPhasedAsync(ingestSteps(candidates, new Date()), wrap(ingest.postgresIngestStore(db.pg!), log), async (inside) => {
      await beforeLock?.(++attempt);
      log.ops.push("lock");
      const out = await lock((store) => inside(wrap(store, log)));
      log.ops.push("unlock");
      return out;
    });
  };
}

/** What a reader compares: per result, its status and finding codes (ids differ between runs). */
const verdicts = (results: TIngestResult[]) =>
  results.map(
    (r) =>
      `${r.status} ${r.error?.code ?? ""} [${r.findings
        .map((f) => f.code)
        .sort()
        .join(",")}]`,
  );

export function definePhaseTests(kind: "sqlite" | "postgres", log: TOpLog) {
  let run: TRunBatch;
  let verifyBatch: typeof import("@/lib/ingest/ingest").verifyBatch;
  let ingestBatch: typeof import("@/lib/ingest/ingest").ingestBatch;
  let getChain: typeof import("@/lib/chains/queries").getChain;
  let OPTIMISTIC_ATTEMPTS: number;
  let human: TActor, planner: TActor, worker: TActor;

  const register = async (kindOf: TPrincipalKind, prefix: string): Promise<TActor> => {
    const { createPrincipal } = await import("@/lib/principals/queries");
    const id = `${prefix}:${unique(prefix)}`;
    const key = makeKey("Ed25519", unique("k"));
    await createPrincipal({ id, kind: kindOf, keys: [key.publicJwk] });
    return { id, key };
  };
  const sign = (a: TActor, claims: Record<string, unknown>) => signToken(a.key, { v: 1, ...claims });

  /** A delegate in a chain of its own pointing at `parentJti`: a cross-chain reference (unrooted) once that event is stored, an orphan before. */
  function foreignDelegate(parentJti: string, t: number) {
    const jti = unique("x");
    const token = sign(planner, {
      kind: "delegate",
      jti,
      chain: jti,
      parent: parentJti,
      iss: planner.id,
      aud: worker.id,
      iat: t - 30,
      exp: t + 60,
      scope: ["finance/q1:read"],
      purpose: { code: "finance", text: "x" },
    });
    return { jti, token };
  }

  /** A root, a delegate under it and an invoke under that, in a fresh chain. */
  function story() {
    const t = now();
    const chain = unique("c");
    const root = {
      kind: "authorize",
      jti: chain,
      chain,
      iss: human.id,
      aud: planner.id,
      iat: t - 60,
      exp: t + 3600,
      scope: ["finance/*:read"],
      purpose: { code: "finance", text: "Report" },
    };
    const hop = {
      kind: "delegate",
      jti: unique("d"),
      chain,
      parent: chain,
      iss: planner.id,
      aud: worker.id,
      iat: t - 50,
      exp: t + 1800,
      scope: ["finance/q1/*:read"],
      purpose: { code: "finance.q1", text: "Q1" },
    };
    const act = {
      kind: "invoke",
      jti: unique("i"),
      chain,
      grant: hop.jti,
      iss: worker.id,
      iat: t - 40,
      action: "finance/q1/revenue:read",
      resource: "db://finance/q1",
    };
    return { chain, root: sign(human, root), hop: sign(planner, hop), act: sign(worker, act), rootJti: root.jti, hopJti: hop.jti };
  }

  const batch = async (tokens: string[], beforeLock?: (attempt: number) => Promise<void>) => {
    log.ops = [];
    return run(await verifyBatch(tokens), log, beforeLock);
  };
  const once = (f: () => Promise<unknown>) => async (attempt: number) => {
    if (attempt === 1) await f();
  };
  const count = (op: string) => log.ops.filter((o) => o === op).length;
  /** Locked scopes left without a write: validations that failed. */
  const releases = () => count("lock") - count("write");
  /**
   * One locked scope, whose failed validation was repaired under the lock: after the re-reads (which
   * bring the changed chains' facts) only the reads of what is still unknown (`expected`, in order)
   * and the chain checks, then the write.
   */
  const revisedUnderLock = (expected: string[]) => {
    expect(count("lock")).toBe(1);
    expect(releases()).toBe(0);
    const locked = log.ops.slice(log.ops.indexOf("lock"));
    expect(locked.slice(0, 2)).toEqual(["lock", "lockHeadAndRead"]);
    expect(locked.slice(-2)).toEqual(["write", "unlock"]);
    const between = locked.slice(2, -2);
    expect(between.filter((o) => o !== "checkChain")).toEqual(expected);
    expect(between.indexOf("checkChain")).toBeGreaterThanOrEqual(expected.length);
  };
  /** A chain's stored state as a reader sees it, ids left out (two runs' chains compared). */
  const chainState = async (chainId: string) => {
    const d = await getChain(chainId);
    return {
      status: d.status,
      eventCount: d.eventCount,
      events: d.events.map((e) => `${e.seq - d.events[0].seq} ${e.kind} ${e.status} ${e.findings.map((f) => `${f.code}:${f.severity}`).join(",")}`),
    };
  };

  describe(`ingest phases on ${kind}`, () => {
    beforeAll(async () => {
      run = await runner(kind);
      ({ verifyBatch, ingestBatch } = await import("@/lib/ingest/ingest"));
      ({ getChain } = await import("@/lib/chains/queries"));
      ({ OPTIMISTIC_ATTEMPTS } = await import("@/lib/ingest/steps"));
      [human, planner, worker] = [await register("human", "user"), await register("agent", "agent"), await register("agent", "agent")];
    });

    it("runs every chain check before the lock: between the lock and write only the cheap re-reads, asked at once", async () => {
      const s = story();
      const results = await batch([s.root, s.hop, s.act]);
      expect(verdicts(results)).toEqual(["accepted  []", "accepted  []", "accepted  []"]);
      const lock = log.ops.indexOf("lock");
      expect(log.ops.lastIndexOf("checkChain")).toBeGreaterThanOrEqual(0);
      expect(log.ops.lastIndexOf("checkChain")).toBeLessThan(lock);
      // The lock and the re-reads in one request (on PostgreSQL, with BEGIN, one round trip), then the write.
      expect(log.ops.slice(lock)).toEqual(["lock", "lockHeadAndRead", "write", "unlock"]);
      // The batch's invoke was judged against its signer's drift baseline, which must not have moved.
      expect(log.reads?.at(-1)?.driftKeys).toHaveLength(1);
      expect(count("lock")).toBe(1);
    });

    it("a parent that lands between a child's check and its lock: re-checked under the lock, as if it had come first", async () => {
      const raced = story();
      const results = await batch(
        [raced.hop, raced.act],
        once(async () => void (await ingestBatch([raced.root]))),
      );
      // The chain's version moved: its events, with the kind of the root's signer (new to the batch),
      // came with the lock's own re-reads; the chain checked again, with no read of its own.
      revisedUnderLock([]);
      expect(log.reads?.at(-1)?.readVersions).toEqual([null]);
      const inOrder = story();
      await ingestBatch([inOrder.root]);
      expect(verdicts(results)).toEqual(verdicts(await ingestBatch([inOrder.hop, inOrder.act])));
      expect(verdicts(results)).toEqual(["accepted  []", "accepted  []"]);
      expect((await getChain(raced.chain)).status).toBe((await getChain(inOrder.chain)).status);
    });

    it("a child that lands between its parent's check and lock is re-checked with it", async () => {
      const raced = story();
      let childWhileRacing: TIngestResult[] = [];
      const results = await batch(
        [raced.root],
        once(async () => void (childWhileRacing = await ingestBatch([raced.hop]))),
      );
      expect(verdicts(childWhileRacing)).toEqual(["pending  [orphan]"]);
      // The child's audience is new to the batch: its kind came with the chain's events, with the lock.
      revisedUnderLock([]);
      expect(verdicts(results)).toEqual(["accepted  []"]);
      const detail = await getChain(raced.chain);
      expect(detail.events.map((e) => `${e.jti} ${e.status} ${e.findings.map((f) => f.code).join(",")}`).sort()).toEqual(
        [`${raced.rootJti} accepted `, `${raced.hopJti} accepted `].sort(),
      );
      expect(detail.status).toBe("verified");
    });

    it("a dependant in another chain, which leaves the parent's chain untouched, is still seen", async () => {
      const t = now();
      const parent = story();
      // A delegate in its own chain pointing at parent's root: a cross-chain reference (unrooted) once
      // the root is stored, an orphan before. Only the dependants re-read can notice it.
      const { jti: other, token: foreign } = foreignDelegate(parent.rootJti, t);
      const results = await batch(
        [parent.root],
        once(async () => void (await ingestBatch([foreign]))),
      );
      // A new dependant chain: its events and its principals' kinds read with the lock.
      revisedUnderLock([]);
      expect(verdicts(results)).toEqual(["accepted  []"]);
      const stored = (await getChain(other)).events.find((e) => e.jti === other)!;
      expect([stored.status, stored.findings.map((f) => f.code)]).toEqual(["accepted", ["unrooted"]]);
    });

    it("a reference into another chain that arrives meanwhile is seen", async () => {
      const t = now();
      const parent = story();
      const { token: foreign } = foreignDelegate(parent.rootJti, t);
      const results = await batch(
        [foreign],
        once(async () => void (await ingestBatch([parent.root]))),
      );
      // No chain of the batch changed: only the reference, now stored, is read.
      revisedUnderLock(["kindsOf"]);
      expect(verdicts(results)).toEqual(["accepted  [unrooted]"]);
    });

    it("a batch over several chains repaired under the lock stores what a round after the racer stores", async () => {
      const t = now();
      // The racer stores the root of one chain of the batch (its version moves) and a delegate in a
      // chain of its own pointing at the root of another (a new dependant): both re-read under the lock.
      const run = async (raced: boolean) => {
        const [a, b, c] = [story(), story(), story()];
        const f = foreignDelegate(c.rootJti, t);
        const racer = async () => void (await ingestBatch([a.root, f.token]));
        if (!raced) await racer();
        const results = await batch([a.hop, a.act, b.root, b.hop, b.act, c.root], raced ? once(racer) : undefined);
        if (raced) {
          expect(count("lock")).toBe(1);
          expect(releases()).toBe(0);
          const locked = log.ops.slice(log.ops.indexOf("lockHeadAndRead") + 1);
          // What changed came with the lock's re-reads: no read of its own.
          expect(locked).not.toContain("chainFacts");
          // Checked again under the lock: the chain that gained its root and the new dependant; the
          // other two chains' first checks are kept.
          expect(locked.filter((o) => o === "checkChain")).toHaveLength(2);
        }
        const ids = [a.chain, b.chain, c.chain, f.jti];
        return {
          results: results.map((r) => ({ ...r, jti: undefined, chain: ids.indexOf(r.chain!) })),
          chains: await Promise.all(ids.map((id) => chainState(id))),
        };
      };
      const repaired = await run(true);
      const after = await run(false);
      expect(repaired).toEqual(after);
      expect(repaired.chains[3].events).toEqual(["0 delegate accepted unrooted:critical"]);
    });

    it("the same jti stored meanwhile: the retry classifies against it (duplicate or replay)", async () => {
      const s = story();
      const results = await batch(
        [s.root],
        once(async () => void (await ingestBatch([s.root]))),
      );
      expect(count("lock")).toBe(2);
      expect(verdicts(results)).toEqual(["duplicate  []"]);
      const t = story();
      const other = sign(human, { ...JSON.parse(Buffer.from(t.root.split(".")[1], "base64url").toString()), iat: now() - 61 });
      expect(
        verdicts(
          await batch(
            [other],
            once(async () => void (await ingestBatch([t.root]))),
          ),
        ),
      ).toEqual(["rejected replay []"]);
    });

    it("after 3 optimistic attempts, checks under the lock (bounded), with the right verdicts", async () => {
      const s = story();
      await ingestBatch([s.root, s.hop]);
      const t0 = now();
      // Before every lock, another invoke lands in the chain: each optimistic round is outdated.
      const results = await batch([s.act], async (attempt) => {
        const extra = {
          kind: "invoke",
          jti: unique(`i${attempt}`),
          chain: s.chain,
          grant: s.hopJti,
          iss: worker.id,
          iat: t0 - 5,
          action: "finance/q1/x:read",
          resource: "db://x",
        };
        await ingestBatch([sign(worker, extra)]);
      });
      expect(OPTIMISTIC_ATTEMPTS).toBe(3);
      expect(count("lock")).toBe(OPTIMISTIC_ATTEMPTS + 1);
      expect(releases()).toBe(OPTIMISTIC_ATTEMPTS);
      const last = log.ops.slice(log.ops.lastIndexOf("lock"));
      // The last round: the lock first, then the reads and checks, then the write.
      expect(last[1]).toBe("lockHead");
      expect(last.indexOf("checkChain")).toBeGreaterThan(1);
      expect(last.lastIndexOf("checkChain")).toBeLessThan(last.indexOf("write"));
      expect(verdicts(results)).toEqual(["accepted  []"]);
      expect((await getChain(s.chain)).eventCount).toBe(2 + OPTIMISTIC_ATTEMPTS + 1 + 1);
    });
  });
}
