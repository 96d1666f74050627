// Behavioural drift (docs/least-privilege.md#behavioural-drift): a principal's actions compared with
// its own history under the same purpose. An action, resource, data class or egress host not seen
// in the baseline window, or an hourly rate far above the baseline's usual, is a drift.
//
// Pure and incremental. The decision (`judgeDrift`) reads a few facts of one baseline (one per
// principal and purpose): when each value the event names was last seen, the window's buckets
// (events, and how many of them brought a new value of each aspect), and the first and latest iat.
// Ingest reads exactly those facts from the store (lib/db/stores/ingest.ts, `driftFacts`), judges
// each invoke of a batch, and writes back what `driftUpdate` says; the in-memory baseline below
// (`observeDrift`, `replayDrift`) runs the same decision for a read model and the tests. Either way
// the cost of one event does not grow with the history: the state is bounded by what the window holds.

export type TDriftSettings = {
  /** how far back the baseline remembers, seconds */
  baselineSeconds: number;
  /** events (inside the window) a baseline needs before it judges anything: the warm-up */
  minBaselineEvents: number;
  /** the length of one rate bucket, seconds */
  bucketSeconds: number;
  /** a bucket above this many times the baseline's mean per bucket is a rate drift… */
  rateFactor: number;
  /** …when it holds at least this many events */
  minRateEvents: number;
  /**
   * A new value of an aspect is a drift only while at most this share of the window's events
   * brought a new value of that aspect: a principal that touches a new resource every other call
   * has no resource habit to drift from, and flagging each one would flood the findings.
   */
  noveltyShare: number;
};

export const DEFAULT_DRIFT_SETTINGS: TDriftSettings = {
  baselineSeconds: 30 * 24 * 3600,
  minBaselineEvents: 20,
  bucketSeconds: 3600,
  rateFactor: 5,
  minRateEvents: 10,
  noveltyShare: 0.1,
};

export type TDriftObservation = { iat: number; action: string; resource: string; data: readonly string[]; host: string | null };

export const DRIFT_VALUE_ASPECTS = ["action", "resource", "data", "host"] as const;
export type TDriftValueAspect = (typeof DRIFT_VALUE_ASPECTS)[number];
export type TDriftAspect = TDriftValueAspect | "rate";

export type TDriftBaselineSummary = {
  /** the window's start: values last seen before it are forgotten */
  since: number;
  /** events inside the window before this one */
  events: number;
  /** new values of each aspect the window's events brought (its distinct values first seen in it) */
  actions: number;
  resources: number;
  dataClasses: number;
  hosts: number;
  /** mean events per bucket over the buckets the baseline has lived through (at most the window) */
  usualRate: number;
};

/** What ingest stores with an invoke that drifted (Event.drift): the chain check turns it into the finding. */
export type TDriftFact = {
  purpose: string;
  /** the rate bucket's length, seconds (the unit of usualRate) */
  bucketSeconds: number;
  aspects: { aspect: TDriftAspect; value: string }[];
  baseline: TDriftBaselineSummary;
};

export type TDrift = TDriftFact & { code: "behavior_drift"; severity: "warning"; message: string };

/** One rate bucket: its events and how many of them brought a new value of each aspect. */
export type TDriftBucket = { events: number; action: number; resource: number; data: number; host: number };

/**
 * The facts of one baseline a judgement reads. `seen` needs to hold only the values the judged
 * events name (the store reads no others); `buckets` only those inside the window (older ones are
 * ignored if present).
 */
export type TDriftFacts = {
  seen: Record<TDriftValueAspect, Map<string, number>>;
  /** bucket index (floor(iat / bucketSeconds)) → counts */
  buckets: Map<number, TDriftBucket>;
  /** the latest iat observed (-Infinity: none): the window ends there */
  latest: number;
  /** the earliest iat observed (Infinity: none) */
  first: number;
};

export function newDriftBaseline(): TDriftFacts {
  return {
    seen: { action: new Map(), resource: new Map(), data: new Map(), host: new Map() },
    buckets: new Map(),
    latest: -Infinity,
    first: Infinity,
  };
}

const emptyBucket = (): TDriftBucket => ({ events: 0, action: 0, resource: 0, data: 0, host: 0 });

function addTo(sum: TDriftBucket, b: TDriftBucket) {
  sum.events += b.events;
  sum.action += b.action;
  sum.resource += b.resource;
  sum.data += b.data;
  sum.host += b.host;
}

// The window's sums, kept beside the facts: summed again only when the window's first bucket moves
// (once per bucket at most, over at most a window of buckets), and kept up to date by applyDrift,
// so judging an event does not walk the buckets.
const TOTALS = new WeakMap<TDriftFacts, { firstBucket: number; sum: TDriftBucket }>();

function windowTotal(f: TDriftFacts, firstBucket: number): TDriftBucket {
  const cached = TOTALS.get(f);
  if (cached && cached.firstBucket === firstBucket) return cached.sum;
  const sum = emptyBucket();
  for (const [i, b] of f.buckets) if (i >= firstBucket) addTo(sum, b);
  TOTALS.set(f, { firstBucket, sum });
  return sum;
}

/** What one event brought that the baseline did not hold, per aspect. */
export type TNovelty = { action: boolean; resource: boolean; data: string[]; host: boolean };

export type TDriftJudgement = { drift: TDriftFact | null; novelty: TNovelty; now: number; bucket: number };

const known = (seen: Map<string, number>, value: string, horizon: number) => {
  const at = seen.get(value);
  return at !== undefined && at >= horizon;
};

/** The window as it stands when `o` arrives: its start and the first bucket inside it. */
export function driftWindow(latest: number, iat: number, s: TDriftSettings): { now: number; horizon: number; firstBucket: number } {
  const now = Math.max(latest, iat);
  const horizon = now - s.baselineSeconds;
  return { now, horizon, firstBucket: Math.floor(horizon / s.bucketSeconds) };
}

/**
 * Judges one observation against the facts of its baseline: the drift (or null) and what it
 * brought that is new. Does not change the facts (see applyDrift). Events arriving out of order
 * are judged against what the baseline holds when they arrive.
 */
export function judgeDrift(f: TDriftFacts, o: TDriftObservation, s: TDriftSettings = DEFAULT_DRIFT_SETTINGS): TDriftJudgement {
  const { now, horizon, firstBucket } = driftWindow(f.latest, o.iat, s);
  const bucket = Math.floor(o.iat / s.bucketSeconds);
  const novelty: TNovelty = {
    action: !known(f.seen.action, o.action, horizon),
    resource: !known(f.seen.resource, o.resource, horizon),
    data: [...new Set(o.data)].filter((d) => !known(f.seen.data, d, horizon)),
    host: o.host !== null && !known(f.seen.host, o.host, horizon),
  };
  const total = windowTotal(f, firstBucket);
  if (total.events < s.minBaselineEvents) return { drift: null, novelty, now, bucket };

  const settled = (aspect: TDriftValueAspect) => total[aspect] <= s.noveltyShare * total.events;
  const aspects: TDriftFact["aspects"] = [];
  if (novelty.action && settled("action")) aspects.push({ aspect: "action", value: o.action });
  if (novelty.resource && settled("resource")) aspects.push({ aspect: "resource", value: o.resource });
  if (settled("data")) for (const d of novelty.data) aspects.push({ aspect: "data", value: d });
  if (novelty.host && settled("host")) aspects.push({ aspect: "host", value: o.host! });
  const inBucket = (bucket >= firstBucket ? (f.buckets.get(bucket)?.events ?? 0) : 0) + 1;
  // The usual rate: events per bucket over the buckets the baseline has lived through (at most the
  // window), without the current one, so a burst does not raise its own bar and a young baseline
  // is not compared with empty buckets it never saw.
  const lived = Math.min(Math.ceil(s.baselineSeconds / s.bucketSeconds), bucket - Math.floor(f.first / s.bucketSeconds));
  const usualRate = (total.events - (inBucket - 1)) / Math.max(1, lived);
  const above = (n: number) => n >= s.minRateEvents && n > s.rateFactor * usualRate;
  // Once per burst: when the bucket first crosses the bar.
  if (above(inBucket) && !above(inBucket - 1)) aspects.push({ aspect: "rate", value: `${inBucket} in ${s.bucketSeconds} s` });
  if (aspects.length === 0) return { drift: null, novelty, now, bucket };
  return {
    drift: {
      purpose: "",
      bucketSeconds: s.bucketSeconds,
      aspects,
      baseline: {
        since: horizon,
        events: total.events,
        actions: total.action,
        resources: total.resource,
        dataClasses: total.data,
        hosts: total.host,
        usualRate: Math.round(usualRate * 1000) / 1000,
      },
    },
    novelty,
    now,
    bucket,
  };
}

/** The rows a judged observation adds to its baseline: what the store upserts (and applyDrift applies). */
export type TDriftUpdate = {
  /** value aspect → values, each last seen at `iat` */
  seen: { aspect: TDriftValueAspect; value: string }[];
  iat: number;
  bucket: number;
  /** the bucket's increment */
  counts: TDriftBucket;
};

export function driftUpdate(o: TDriftObservation, j: TDriftJudgement): TDriftUpdate {
  const seen: TDriftUpdate["seen"] = [
    { aspect: "action", value: o.action },
    { aspect: "resource", value: o.resource },
    ...[...new Set(o.data)].map((value) => ({ aspect: "data" as const, value })),
    ...(o.host !== null ? [{ aspect: "host" as const, value: o.host }] : []),
  ];
  const n = j.novelty;
  return {
    seen,
    iat: o.iat,
    bucket: j.bucket,
    counts: { events: 1, action: +n.action, resource: +n.resource, data: +(n.data.length > 0), host: +n.host },
  };
}

/** Adds an update to facts held in memory (the store does the same with upserts). */
export function applyDrift(f: TDriftFacts, u: TDriftUpdate): void {
  for (const { aspect, value } of u.seen) f.seen[aspect].set(value, Math.max(f.seen[aspect].get(value) ?? -Infinity, u.iat));
  const b = f.buckets.get(u.bucket) ?? emptyBucket();
  addTo(b, u.counts);
  f.buckets.set(u.bucket, b);
  const cached = TOTALS.get(f);
  if (cached && u.bucket >= cached.firstBucket) addTo(cached.sum, u.counts);
  f.latest = Math.max(f.latest, u.iat);
  f.first = Math.min(f.first, u.iat);
}

const aspectWords = (a: TDriftFact["aspects"][number], usualRate: number) =>
  a.aspect === "rate" ? `a rate of ${a.value} (usual ${usualRate})` : `${a.aspect === "data" ? "data class" : a.aspect} ${a.value} never seen`;

/** The finding's message: what was new, and the baseline it was compared to. */
export function driftMessage(principal: string, f: TDriftFact): string {
  const b = f.baseline;
  const purpose = f.purpose ? `purpose ${f.purpose}` : "no purpose";
  return `${f.aspects.map((a) => aspectWords(a, b.usualRate)).join("; ")} for ${principal} under ${purpose}, against its baseline of ${b.events} events since ${new Date(b.since * 1000).toISOString().replace(".000Z", "Z")} (${b.actions} actions, ${b.resources} resources, ${b.dataClasses} data classes, ${b.hosts} hosts new in it; usual rate ${b.usualRate} per ${f.bucketSeconds} s)`;
}

// ---------------------------------------------------------------------------------------------
// In memory: one baseline per principal and purpose, swept as the window slides.

// Expiry is amortised: a baseline is swept when it may hold expired entries, at most once per
// bucket, so each entry is visited O(1) times per bucket it lives through.
const SWEPT = new WeakMap<TDriftFacts, number>();

function expire(f: TDriftFacts, iat: number, s: TDriftSettings) {
  const { horizon, firstBucket } = driftWindow(f.latest, iat, s);
  if (SWEPT.get(f) === firstBucket) return;
  SWEPT.set(f, firstBucket);
  for (const seen of Object.values(f.seen)) for (const [k, at] of seen) if (at < horizon) seen.delete(k);
  for (const i of f.buckets.keys()) if (i < firstBucket) f.buckets.delete(i);
}

/** Judges one observation against an in-memory baseline, then adds it. Returns the drift, or null. */
export function observeDrift(
  f: TDriftFacts,
  o: TDriftObservation,
  s: TDriftSettings = DEFAULT_DRIFT_SETTINGS,
  principal = "",
  purpose = "",
): TDrift | null {
  expire(f, o.iat, s);
  const j = judgeDrift(f, o, s);
  applyDrift(f, driftUpdate(o, j));
  if (!j.drift) return null;
  const fact = { ...j.drift, purpose };
  return { ...fact, code: "behavior_drift", severity: "warning", message: driftMessage(principal, fact) };
}

/** Events inside an in-memory baseline's window. */
export function baselineEvents(f: TDriftFacts): number {
  let n = 0;
  for (const b of f.buckets.values()) n += b.events;
  return n;
}

export type TDriftEvent = TDriftObservation & { jti: string; principal: string; purpose: string };

/**
 * Replays events in `iat` order through one baseline per principal and purpose, and returns the
 * drifts with the event that caused each: how a read model applies the detector to a window.
 */
export function replayDrift(
  events: readonly TDriftEvent[],
  s: TDriftSettings = DEFAULT_DRIFT_SETTINGS,
): (TDrift & { jti: string; principal: string; purpose: string; iat: number })[] {
  const baselines = new Map<string, TDriftFacts>();
  const out: (TDrift & { jti: string; principal: string; purpose: string; iat: number })[] = [];
  const ordered = [...events].sort((a, b) => a.iat - b.iat || (a.jti < b.jti ? -1 : a.jti > b.jti ? 1 : 0));
  for (const e of ordered) {
    const key = driftKey(e.principal, e.purpose);
    let b = baselines.get(key);
    if (!b) baselines.set(key, (b = newDriftBaseline()));
    const d = observeDrift(b, e, s, e.principal, e.purpose);
    if (d) out.push({ ...d, jti: e.jti, principal: e.principal, purpose: e.purpose, iat: e.iat });
  }
  return out;
}

/** A baseline's key: principal and purpose (principal ids and purpose codes hold no newline). */
export function driftKey(principal: string, purpose: string): string {
  return `${principal}\n${purpose}`;
}
