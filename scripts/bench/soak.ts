// `--soak S` (scripts/bench.ts): ingest over time. New chains arrive at a fixed rate (open loop: a
// batch is sent when it is due, whether or not earlier ones were answered, as independent producers
// would) at a fraction of the maximum rate the server sustains just before it (closed-loop sending of
// the same batches: calibrationSeconds), for S seconds. Each request's
// latency runs from when it was due, not when it left, so a stalled client is not hidden
// (coordinated omission). Each producer retries as our SDK does (http.ts, sdkRetryWaitMs): a refusal
// (503 with Retry-After: the ingest at capacity) is waited out with up to half as much again at
// random, and a request that got no answer is sent again after a growing, jittered backoff (a batch
// is idempotent); refusals and connection failures are counted, and a batch's latency from its due
// time includes its waits and retries. Reports
// p50/p95/p99 per minute and overall, the achieved rate, and the server's RSS per minute with its
// least-squares slope (flat memory = a slope near zero).
//
// The events are signed before the clock starts, on worker threads, into a spool file read back
// while sending (the calibration's first, then the soak's for the rate the calibration measured): signing during the soak would take the CPU the server verifies with, and holding
// millions of tokens in memory would measure the client's memory instead of the server's.
import { createReadStream, createWriteStream, rmSync } from "node:fs";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { sampleTree } from "./memory";
import { postEventsUntilAdmitted, type TApi } from "./http";
import { planChainJobs, signedChains } from "./scale";
import { percentile, round } from "./stats";
import type { TPopulation } from "./workload";

export type TSoakLatency = { n: number; p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number };

export function soakLatency(samples: number[]): TSoakLatency {
  return {
    n: samples.length,
    p50Ms: round(percentile(samples, 50)),
    p95Ms: round(percentile(samples, 95)),
    p99Ms: round(percentile(samples, 99)),
    maxMs: round(samples.length ? Math.max(...samples) : NaN),
  };
}

/** Milliseconds between batches for `ratePerSec` events/s in batches of `eventsPerBatch` on average. */
export function arrivalIntervalMs(ratePerSec: number, eventsPerBatch: number): number {
  if (!(ratePerSec > 0) || !(eventsPerBatch > 0)) throw new Error(`no arrival interval for ${ratePerSec} events/s in batches of ${eventsPerBatch}`);
  return (eventsPerBatch / ratePerSec) * 1000;
}

/**
 * Seconds of closed-loop sending that measure the maximum the soak runs at a fraction of: a tenth of
 * the soak, from 20 s to 2 minutes. A short burst on a young store (the bench's batches-of-100 run:
 * ~2,000 events in smoke mode) overstates what the server sustains while the store grows by the
 * soak's millions of events; an open loop above the sustained rate only queues until requests fail.
 */
export function calibrationSeconds(soakSeconds: number): number {
  return Math.min(120, Math.max(20, Math.round(soakSeconds / 10)));
}

/**
 * How many times the burst's rate the calibration's spool is signed for. The soak's own spool is
 * signed after the calibration, for the rate it measured, so only the calibration can run dry: the
 * short burst on a cold server reads low (1,264/s against a sustained 3,267/s on 12-06; 934 against
 * 1,538 once on a loaded machine).
 */
const CALIBRATION_HEADROOM = 6;

/** Producers sending at once while the sustained maximum is measured (as the bench's quick and full runs). */
export const CALIBRATION_CLIENTS = 4;

/** Samples `{ atMs, value }` grouped into consecutive windows of `windowMs` from 0 (empty windows kept). */
export function byWindow<T extends { atMs: number }>(samples: T[], windowMs: number, totalMs: number): T[][] {
  const windows: T[][] = Array.from({ length: Math.max(1, Math.ceil(totalMs / windowMs)) }, () => []);
  for (const s of samples) windows[Math.min(windows.length - 1, Math.max(0, Math.floor(s.atMs / windowMs)))].push(s);
  return windows;
}

/** Least-squares slope of y over x (NaN for fewer than two distinct x). */
export function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

/**
 * One minute of due times: the requests due in it (`sent`), the events of those answered (`events`,
 * whenever the answer came) and those that got no answer (`failed`). Not the server's rate in that
 * minute: with a backlog the answers come minutes later, and the failures grow as the queue fills;
 * TSoak.answeredPerMinute is the rate at which answers arrived.
 */
export type TSoakMinute = {
  minute: number;
  sent: number;
  events: number;
  failed: number;
  /** 503s with Retry-After met by the batches due in this minute */
  refusals: number;
  latency: TSoakLatency;
  serverRssMiB: { mean: number; max: number };
};

export type TSoak = {
  seconds: number;
  /** the sustained maximum: closed-loop sending of the soak's own batches just before it */
  maxRatePerSec: number;
  calibration: { seconds: number; events: number; clients: number; failedRequests: number; refusals: number; burstRatePerSec: number };
  targetRatePerSec: number;
  achievedRatePerSec: number;
  eventsPerBatch: number;
  requests: number;
  events: number;
  /** batches that got no answer in the end (an error other than a connection failure or a refusal) */
  failedRequests: number;
  /** attempts that got no answer (connection refused, reset or closed): each sent again after the SDK's backoff */
  connectionFailures: number;
  /** 503s with Retry-After (the ingest at capacity): each waited out and the batch sent again; not failures */
  refusals: number;
  /** batches refused at least once */
  refusedBatches: number;
  /** latency from when each request was due (its waits and retries after refusals included) */
  latency: TSoakLatency;
  /** latency from when each batch was first sent (its waits and retries included) */
  serviceLatency: TSoakLatency;
  /** latency of the attempt that was admitted, from its send to its answer: what an accepted request costs the producer */
  admittedLatency: TSoakLatency;
  /** batches due and not yet answered (waiting out a refusal included) */
  maxInFlight: number;
  /** events answered in each minute of the run by the clock (the last one includes the drain after the sending stopped) */
  answeredPerMinute: number[];
  /** requests sent and not yet answered: what the server holds */
  maxOnWire: number;
  /** how late the sender was, at worst, to send a due batch (the client's own lag) */
  maxSendLagMs: number;
  minutes: TSoakMinute[];
  serverRss: { firstMiB: number; lastMiB: number; maxMiB: number; slopeMiBPerMin: number; slopeSecondHalfMiBPerMin: number };
  signing: { events: number; seconds: number };
  load: { start: [number, number, number]; end: [number, number, number] };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function serverRssMiB(rootPid: number): number {
  return Math.max(
    0,
    ...sampleTree(rootPid)
      .byProcess.filter((p) => p.name.startsWith("next-server"))
      .map((p) => p.mib),
  );
}

/**
 * Signs `chains` background chains from `firstChain` into a spool file, a line per batch of
 * `chainsPerBatch` chains (tokens separated by spaces). Returns the file and what it holds.
 */
async function spool(file: string, firstChain: number, events: number, chainsPerBatch: number, pop: TPopulation, now: number) {
  const started = performance.now();
  const out = createWriteStream(file);
  let total = 0;
  let batches = 0;
  let nextChain = firstChain;
  for await (const { job, chains } of signedChains(planChainJobs(firstChain, events, chainsPerBatch), pop, now)) {
    if (!out.write(chains.flat().join(" ") + "\n")) await once(out, "drain");
    total += job.events;
    batches++;
    nextChain = job.end;
  }
  out.end();
  await once(out, "finish");
  return { events: total, batches, nextChain, seconds: (performance.now() - started) / 1000 };
}

export async function runSoak(o: {
  api: TApi;
  serverPid: number;
  seconds: number;
  maxRatePerSec: number;
  fraction: number;
  pop: TPopulation;
  now: number;
  firstChain: number;
  spoolFile: string;
  load: () => [number, number, number];
  log: (msg: string) => void;
}): Promise<TSoak & { nextChain: number; accepted: number }> {
  const chainsPerBatch = 10; // ~98 events: whole chains, so no batch waits on another's parents
  const calibrateSeconds = calibrationSeconds(o.seconds);
  // The calibration's spool: enough for a sustained rate up to CALIBRATION_HEADROOM times the
  // burst's, 2% more. The soak's is signed once the calibration has measured its rate (below).
  const needed = Math.ceil(o.maxRatePerSec * CALIBRATION_HEADROOM * calibrateSeconds * 1.02) + 1000;
  o.log(`soak: signing ${needed} events ahead for the calibration into ${o.spoolFile}`);
  const signed = await spool(o.spoolFile, o.firstChain, needed, chainsPerBatch, o.pop, o.now);
  o.log(`soak: signed ${signed.events} events in ${signed.seconds.toFixed(1)} s`);
  let reader = createInterface({ input: createReadStream(o.spoolFile), crlfDelay: Infinity });
  let lines = reader[Symbol.asyncIterator]();
  // One line at a time, also for concurrent callers.
  let reading: Promise<unknown> = Promise.resolve();
  const nextLine = (): Promise<IteratorResult<string>> => {
    const line = reading.then(() => lines.next());
    reading = line.catch(() => undefined);
    return line;
  };
  let bad: Error | null = null;
  let accepted = 0;
  const count = (results: Awaited<ReturnType<typeof postEventsUntilAdmitted>>) => {
    for (const r of results) {
      // After an attempt that got no answer, what that attempt stored comes back duplicate.
      if (r.status === "accepted" || r.status === "pending" || (results.failedBefore && r.status === "duplicate")) accepted++;
      else bad ??= new Error(`soak: ${r.jti} was ${r.status} ${r.error ? `(${r.error.code}: ${r.error.message})` : ""}`);
    }
  };

  // The sustained maximum: CALIBRATION_CLIENTS producers, each sending its next batch when the last
  // is answered, for calibrateSeconds.
  o.log(`soak: measuring the sustained maximum, ${CALIBRATION_CLIENTS} producers in a closed loop for ${calibrateSeconds} s`);
  let calibrated = 0;
  let calibrationFailed = 0;
  let calibrationRefusals = 0;
  const calibrationStart = performance.now();
  const calibrationEnd = calibrationStart + calibrateSeconds * 1000;
  await Promise.all(
    Array.from({ length: CALIBRATION_CLIENTS }, async () => {
      while (performance.now() < calibrationEnd && !bad) {
        const line = await nextLine();
        if (line.done) throw new Error("soak: the spool ran dry while measuring the sustained maximum");
        const batch = line.value.split(" ");
        try {
          count(
            await postEventsUntilAdmitted(
              o.api,
              batch,
              { refused: () => void calibrationRefusals++, failed: () => void calibrationFailed++ },
              { resendFailed: true },
            ),
          );
          calibrated += batch.length;
        } catch (e) {
          calibrationFailed++;
          if (calibrationFailed <= 3) o.log(`soak: a request failed while measuring: ${(e as Error).message.slice(0, 200)}`);
        }
      }
    }),
  );
  const sustainedPerSec = Math.round(calibrated / ((performance.now() - calibrationStart) / 1000));
  const targetRatePerSec = Math.max(1, Math.round(sustainedPerSec * o.fraction));
  o.log(
    `soak: sustained ${sustainedPerSec} events/s (the batches-of-100 run measured ${o.maxRatePerSec}/s); sending at ${targetRatePerSec} events/s for ${o.seconds} s`,
  );
  // The soak's spool, for the measured rate over the whole soak, 2% more, from the chains after the
  // calibration's (the calibration's unsent batches are dropped). Signed before the soak's clock
  // starts: the server is idle meanwhile.
  await reading;
  reader.close();
  const soakSpoolFile = o.spoolFile + ".soak";
  const soakNeeded = Math.ceil(targetRatePerSec * o.seconds * 1.02) + 1000;
  o.log(`soak: signing ${soakNeeded} events ahead for the soak into ${soakSpoolFile}`);
  const soakSigned = await spool(soakSpoolFile, signed.nextChain, soakNeeded, chainsPerBatch, o.pop, o.now);
  o.log(`soak: signed ${soakSigned.events} events in ${soakSigned.seconds.toFixed(1)} s`);
  rmSync(o.spoolFile, { force: true });
  reader = createInterface({ input: createReadStream(soakSpoolFile), crlfDelay: Infinity });
  lines = reader[Symbol.asyncIterator]();
  const eventsPerBatch = soakSigned.events / soakSigned.batches;
  const intervalMs = arrivalIntervalMs(targetRatePerSec, eventsPerBatch);

  const loadStart = o.load();
  const samples: { atMs: number; ms: number; serviceMs: number; admittedMs: number; events: number; refusals: number; doneMs: number }[] = [];
  const failures: { atMs: number }[] = [];
  const rss: { atMs: number; mib: number }[] = [];
  let failed = 0;
  let connectionFailures = 0;
  let refusals = 0;
  let refusedBatches = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let onWire = 0;
  let maxOnWire = 0;
  let maxSendLagMs = 0;
  const start = performance.now();
  const durationMs = o.seconds * 1000;
  rss.push({ atMs: 0, mib: serverRssMiB(o.serverPid) });
  const rssTimer = setInterval(() => rss.push({ atMs: performance.now() - start, mib: serverRssMiB(o.serverPid) }), 1000);
  const requests: Promise<void>[] = [];
  for (let i = 0; ; i++) {
    const dueMs = i * intervalMs;
    if (dueMs >= durationMs || bad) break;
    const line = await nextLine();
    if (line.done) throw new Error(`soak: the spool ran dry after ${i} batches (${soakSigned.batches} signed for ${targetRatePerSec} events/s)`);
    const wait = dueMs - (performance.now() - start);
    if (wait > 0) await sleep(wait);
    maxSendLagMs = Math.max(maxSendLagMs, performance.now() - start - dueMs);
    const batch = line.value.split(" ");
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const sentAt = performance.now();
    let lastSentAt = sentAt;
    let batchRefusals = 0;
    onWire++;
    maxOnWire = Math.max(maxOnWire, onWire);
    requests.push(
      postEventsUntilAdmitted(
        o.api,
        batch,
        {
          // Refused: off the wire while it waits Retry-After, back on when sent again.
          refused: () => {
            batchRefusals++;
            refusals++;
            if (batchRefusals === 1) refusedBatches++;
            onWire--;
          },
          // No answer: off the wire while it waits the SDK's backoff, back on when sent again.
          failed: (e) => {
            connectionFailures++;
            failures.push({ atMs: dueMs });
            if (connectionFailures <= 3) o.log(`soak: a request got no answer (sent again): ${e.message.slice(0, 200)}`);
            onWire--;
          },
          resent: () => {
            lastSentAt = performance.now();
            onWire++;
            maxOnWire = Math.max(maxOnWire, onWire);
          },
        },
        { resendFailed: true },
      ).then(
        (results) => {
          const done = performance.now();
          inFlight--;
          onWire--;
          samples.push({
            atMs: dueMs,
            ms: done - start - dueMs,
            serviceMs: done - sentAt,
            admittedMs: done - lastSentAt,
            doneMs: done - start,
            events: batch.length,
            refusals: batchRefusals,
          });
          count(results);
        },
        (e: Error) => {
          // A request that got no answer: counted, and the soak goes on (its events are not stored).
          inFlight--;
          onWire--;
          failed++;
          failures.push({ atMs: dueMs });
          if (failed <= 3) o.log(`soak: a request failed: ${e.message.slice(0, 200)}`);
        },
      ),
    );
  }
  await Promise.all(requests);
  clearInterval(rssTimer);
  const elapsedMs = performance.now() - start;
  rss.push({ atMs: elapsedMs, mib: serverRssMiB(o.serverPid) });
  reader.close();
  rmSync(soakSpoolFile, { force: true });
  // (set in the callbacks above, which TypeScript's narrowing does not follow)
  const rejected = bad as Error | null;
  if (rejected) throw rejected;

  const failedByMinute = byWindow(failures, 60_000, durationMs).map((w) => w.length);
  const minutes = byWindow(samples, 60_000, durationMs).map((w, k) => {
    const r = rss.filter((s) => s.atMs >= k * 60_000 && s.atMs < (k + 1) * 60_000).map((s) => s.mib);
    return {
      minute: k + 1,
      sent: w.length,
      events: w.reduce((n, s) => n + s.events, 0),
      failed: failedByMinute[k],
      refusals: w.reduce((n, s) => n + s.refusals, 0),
      latency: soakLatency(w.map((s) => s.ms)),
      serverRssMiB: { mean: r.length ? Math.round(r.reduce((a, b) => a + b, 0) / r.length) : NaN, max: r.length ? Math.max(...r) : NaN },
    };
  });
  const perMinute = (pts: { atMs: number; mib: number }[]) => round(slope(pts.map((s) => ({ x: s.atMs / 60_000, y: s.mib }))), 2);
  const events = samples.reduce((n, s) => n + s.events, 0);
  return {
    seconds: o.seconds,
    maxRatePerSec: sustainedPerSec,
    calibration: {
      seconds: calibrateSeconds,
      events: calibrated,
      clients: CALIBRATION_CLIENTS,
      failedRequests: calibrationFailed,
      refusals: calibrationRefusals,
      burstRatePerSec: o.maxRatePerSec,
    },
    targetRatePerSec,
    achievedRatePerSec: Math.round(events / (elapsedMs / 1000)),
    eventsPerBatch: round(eventsPerBatch),
    requests: samples.length + failed,
    events,
    failedRequests: failed,
    connectionFailures,
    refusals,
    refusedBatches,
    latency: soakLatency(samples.map((s) => s.ms)),
    serviceLatency: soakLatency(samples.map((s) => s.serviceMs)),
    admittedLatency: soakLatency(samples.map((s) => s.admittedMs)),
    maxInFlight,
    answeredPerMinute: byWindow(
      samples.map((s) => ({ atMs: s.doneMs, events: s.events })),
      60_000,
      elapsedMs,
    ).map((w) => w.reduce((n, s) => n + s.events, 0)),
    maxOnWire,
    maxSendLagMs: round(maxSendLagMs),
    minutes,
    serverRss: {
      firstMiB: rss[0].mib,
      lastMiB: rss.at(-1)!.mib,
      maxMiB: Math.max(...rss.map((s) => s.mib)),
      slopeMiBPerMin: perMinute(rss),
      slopeSecondHalfMiBPerMin: perMinute(rss.filter((s) => s.atMs >= elapsedMs / 2)),
    },
    signing: { events: signed.events + soakSigned.events, seconds: round(signed.seconds + soakSigned.seconds) },
    load: { start: loadStart, end: o.load() },
    nextChain: soakSigned.nextChain,
    accepted,
  };
}

export function describeSoak(s: TSoak): string[] {
  const lat = (l: TSoakLatency) => `p50 ${l.p50Ms} / p95 ${l.p95Ms} / p99 ${l.p99Ms} / max ${l.maxMs} ms`;
  return [
    `soak ${s.seconds} s at ${s.targetRatePerSec} events/s (80% of ${s.maxRatePerSec}/s sustained by ${s.calibration.clients} producers in a closed loop over ` +
      `${s.calibration.seconds} s before it, ${s.calibration.failedRequests} failed, ${s.calibration.refusals} refused; the batches-of-100 run's ${s.calibration.burstRatePerSec}/s): ` +
      `achieved ${s.achievedRatePerSec} events/s, ${s.requests} batches of ~${s.eventsPerBatch} events, ${s.failedRequests} failed, ` +
      `${s.connectionFailures} attempts with no answer (sent again), ` +
      `${s.refusals} refusals (503, waited out and sent again) on ${s.refusedBatches} batches; load ${s.load.start.join(" ")} → ${s.load.end.join(" ")}`,
    `  latency from due time: ${lat(s.latency)} (target p99 ≤ 250 ms: ${s.latency.p99Ms <= 250 ? "met" : "missed"}); from first send: ${lat(s.serviceLatency)}; ` +
      `the admitted attempt alone: ${lat(s.admittedLatency)}; ` +
      `at most ${s.maxInFlight} batches in flight (${s.maxOnWire} requests on the wire); sender at most ${s.maxSendLagMs} ms late`,
    ...s.minutes.map(
      (m) =>
        `  minute ${m.minute} (by due time): ${m.events} events answered, ${m.failed} requests failed, ${m.refusals} refusals, ${lat(m.latency)}; server RSS mean ${m.serverRssMiB.mean} MiB, max ${m.serverRssMiB.max} MiB`,
    ),
    `  events answered per minute of the run (by the clock, the drain in the last): ${s.answeredPerMinute.join(", ")}`,
    `  server RSS ${s.serverRss.firstMiB} → ${s.serverRss.lastMiB} MiB (max ${s.serverRss.maxMiB}); slope ${s.serverRss.slopeMiBPerMin} MiB/min overall, ` +
      `${s.serverRss.slopeSecondHalfMiBPerMin} MiB/min over the second half`,
  ];
}
