// Behavioural drift (docs/least-privilege.md#behavioural-drift): a principal's actions compared with
// its own history under the same purpose. An action, resource, data class or egress host not seen
// in the baseline window, or an hourly rate far above the baseline's usual, is a drift. Pure and
// incremental: a baseline is a small state updated one invoke at a time (no rescans), whose size is
// bounded by what was seen inside the window, not by how many events passed through it.
//
// NOT wired into ingest yet: no finding code is stored and nothing in the dashboard reports drift.

export type TDriftSettings = {
  /** how far back the baseline remembers, seconds */
  baselineSeconds: number;
  /** events a baseline needs before it judges anything (warm-up) */
  minBaselineEvents: number;
  /** the length of one rate bucket, seconds */
  bucketSeconds: number;
  /** a bucket above this many times the baseline's mean per bucket is a rate drift… */
  rateFactor: number;
  /** …when it holds at least this many events */
  minRateEvents: number;
};

export const DEFAULT_DRIFT_SETTINGS: TDriftSettings = {
  baselineSeconds: 30 * 24 * 3600,
  minBaselineEvents: 20,
  bucketSeconds: 3600,
  rateFactor: 5,
  minRateEvents: 10,
};

export type TDriftObservation = { iat: number; action: string; resource: string; data: readonly string[]; host: string | null };

export type TDriftAspect = "action" | "resource" | "data" | "host" | "rate";

export type TDriftBaselineSummary = {
  since: number;
  events: number;
  actions: number;
  resources: number;
  dataClasses: number;
  hosts: number;
  /** mean events per bucket over the baseline window */
  usualRate: number;
};

export type TDrift = {
  code: "behavior_drift";
  severity: "warning";
  aspects: { aspect: TDriftAspect; value: string }[];
  baseline: TDriftBaselineSummary;
  message: string;
};

type TSeen = Map<string, number>; // value → last seen iat

export type TDriftBaseline = {
  actions: TSeen;
  resources: TSeen;
  data: TSeen;
  hosts: TSeen;
  /** bucket index → events */
  buckets: Map<number, number>;
  /** events inside the window (sum of buckets) */
  events: number;
  /** the latest iat observed: the window ends there */
  latest: number;
  /** the earliest iat observed */
  first: number;
};

export function newDriftBaseline(): TDriftBaseline {
  return {
    actions: new Map(),
    resources: new Map(),
    data: new Map(),
    hosts: new Map(),
    buckets: new Map(),
    events: 0,
    latest: -Infinity,
    first: Infinity,
  };
}

// Expiry is amortised: a map is swept when it may hold expired entries, at most once per bucket,
// so each entry is visited O(1) times per bucket it lives through.
function sweep(seen: TSeen, horizon: number) {
  for (const [k, at] of seen) if (at < horizon) seen.delete(k);
}

function expire(b: TDriftBaseline, now: number, s: TDriftSettings, lastSweptBucket: { at: number }) {
  const horizon = now - s.baselineSeconds;
  const bucket = Math.floor(now / s.bucketSeconds);
  if (bucket === lastSweptBucket.at) return;
  lastSweptBucket.at = bucket;
  for (const seen of [b.actions, b.resources, b.data, b.hosts]) sweep(seen, horizon);
  const firstBucket = Math.floor(horizon / s.bucketSeconds);
  for (const [i, n] of b.buckets)
    if (i < firstBucket) {
      b.buckets.delete(i);
      b.events -= n;
    }
}

const SWEPT = new WeakMap<TDriftBaseline, { at: number }>();

function isKnown(seen: TSeen, value: string, horizon: number): boolean {
  const at = seen.get(value);
  return at !== undefined && at >= horizon;
}

/**
 * Judges one observation against the baseline, then adds it. Returns the drift, or null. Events
 * arriving out of order are judged against what the baseline holds when they arrive.
 */
export function observeDrift(b: TDriftBaseline, o: TDriftObservation, s: TDriftSettings = DEFAULT_DRIFT_SETTINGS): TDrift | null {
  const now = Math.max(b.latest, o.iat);
  let swept = SWEPT.get(b);
  if (!swept) SWEPT.set(b, (swept = { at: Number.NaN }));
  expire(b, now, s, swept);
  const horizon = now - s.baselineSeconds;
  const bucket = Math.floor(o.iat / s.bucketSeconds);

  let drift: TDrift | null = null;
  if (b.events >= s.minBaselineEvents) {
    const aspects: TDrift["aspects"] = [];
    if (!isKnown(b.actions, o.action, horizon)) aspects.push({ aspect: "action", value: o.action });
    if (!isKnown(b.resources, o.resource, horizon)) aspects.push({ aspect: "resource", value: o.resource });
    for (const d of o.data) if (!isKnown(b.data, d, horizon)) aspects.push({ aspect: "data", value: d });
    if (o.host !== null && !isKnown(b.hosts, o.host, horizon)) aspects.push({ aspect: "host", value: o.host });
    const inBucket = (b.buckets.get(bucket) ?? 0) + 1;
    // The usual rate: events per bucket over the buckets the baseline has lived through (at most
    // the window), without the current one, so a burst does not raise its own bar and a young
    // baseline is not compared with empty buckets it never saw.
    const lived = Math.min(Math.ceil(s.baselineSeconds / s.bucketSeconds), bucket - Math.floor(b.first / s.bucketSeconds));
    const usualRate = (b.events - (inBucket - 1)) / Math.max(1, lived);
    const above = (n: number) => n >= s.minRateEvents && n > s.rateFactor * usualRate;
    // Once per burst: when the bucket first crosses the bar.
    if (above(inBucket) && !above(inBucket - 1)) aspects.push({ aspect: "rate", value: `${inBucket} in ${s.bucketSeconds} s` });
    if (aspects.length > 0) {
      const baseline: TDriftBaselineSummary = {
        since: horizon,
        events: b.events,
        actions: b.actions.size,
        resources: b.resources.size,
        dataClasses: b.data.size,
        hosts: b.hosts.size,
        usualRate: Math.round(usualRate * 1000) / 1000,
      };
      drift = {
        code: "behavior_drift",
        severity: "warning",
        aspects,
        baseline,
        message: `${aspects.map((a) => (a.aspect === "rate" ? `a rate of ${a.value} (usual ${baseline.usualRate})` : `${a.aspect} ${a.value} never seen`)).join("; ")} against a baseline of ${b.events} events since ${new Date(horizon * 1000).toISOString()}`,
      };
    }
  }

  b.actions.set(o.action, Math.max(b.actions.get(o.action) ?? -Infinity, o.iat));
  b.resources.set(o.resource, Math.max(b.resources.get(o.resource) ?? -Infinity, o.iat));
  for (const d of o.data) b.data.set(d, Math.max(b.data.get(d) ?? -Infinity, o.iat));
  if (o.host !== null) b.hosts.set(o.host, Math.max(b.hosts.get(o.host) ?? -Infinity, o.iat));
  if (o.iat >= horizon) {
    b.buckets.set(bucket, (b.buckets.get(bucket) ?? 0) + 1);
    b.events++;
  }
  b.latest = now;
  b.first = Math.min(b.first, o.iat);
  return drift;
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
  const baselines = new Map<string, TDriftBaseline>();
  const out: (TDrift & { jti: string; principal: string; purpose: string; iat: number })[] = [];
  const ordered = [...events].sort((a, b) => a.iat - b.iat || (a.jti < b.jti ? -1 : a.jti > b.jti ? 1 : 0));
  for (const e of ordered) {
    const key = `${e.principal}\u0000${e.purpose}`;
    let b = baselines.get(key);
    if (!b) baselines.set(key, (b = newDriftBaseline()));
    const d = observeDrift(b, e, s);
    if (d) out.push({ ...d, jti: e.jti, principal: e.principal, purpose: e.purpose, iat: e.iat });
  }
  return out;
}
