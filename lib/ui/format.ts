// Dates and sizes for people. Event times are NumericDates (seconds); every time shows in the zone
// the reader chose (lib/ui/time-zone.ts: local or UTC), always with the zone printed, and the exact
// UTC instant one hover away (title attributes).

export function toDate(t: number | string): Date {
  return typeof t === "number" ? new Date(t * 1000) : new Date(t);
}

export function isoUtc(t: number | string): string {
  const d = toDate(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString();
}

const pad = (n: number) => String(n).padStart(2, "0");

export type TZone = "local" | "utc";

/** The parts of a date in the chosen zone. */
function parts(d: Date, zone: TZone) {
  return zone === "utc"
    ? { y: d.getUTCFullYear(), mo: d.getUTCMonth(), day: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds() }
    : { y: d.getFullYear(), mo: d.getMonth(), day: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds() };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "UTC", or the reader's zone as the browser abbreviates it ("CET", "GMT+2"). */
export function zoneLabel(zone: TZone, at: Date = new Date()): string {
  if (zone === "utc") return "UTC";
  const name = new Intl.DateTimeFormat("en-GB", { timeZoneName: "short" }).formatToParts(at).find((p) => p.type === "timeZoneName")?.value;
  return name ?? "local";
}

/** "14:05 UTC" today, "27 Nov 14:05 UTC" this year, "27 Nov 2024 14:05 UTC" otherwise: a date whenever it is not today. */
export function formatTime(t: number | string, now: Date = new Date(), zone: TZone = "local"): string {
  const d = toDate(t);
  if (Number.isNaN(d.getTime())) return "—";
  const p = parts(d, zone);
  const n = parts(now, zone);
  const hm = `${pad(p.h)}:${pad(p.mi)} ${zoneLabel(zone, d)}`;
  if (p.y === n.y && p.mo === n.mo && p.day === n.day) return hm;
  if (p.y === n.y) return `${p.day} ${MONTHS[p.mo]} ${hm}`;
  return `${p.day} ${MONTHS[p.mo]} ${p.y} ${hm}`;
}

/** Full date and time with seconds and the zone, for detail views. */
export function formatDateTime(t: number | string, zone: TZone = "local"): string {
  const d = toDate(t);
  if (Number.isNaN(d.getTime())) return "—";
  const p = parts(d, zone);
  return `${p.day} ${MONTHS[p.mo]} ${p.y} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)} ${zoneLabel(zone, d)}`;
}

export function formatRelative(t: number | string, now: number = Date.now()): string {
  const ms = toDate(t).getTime();
  if (Number.isNaN(ms)) return "—";
  const s = Math.round((now - ms) / 1000);
  const future = s < 0;
  const a = Math.abs(s);
  const v =
    a < 45 ? "just now" : a < 90 * 60 ? `${Math.round(a / 60)} min` : a < 36 * 3600 ? `${Math.round(a / 3600)} h` : `${Math.round(a / 86400)} d`;
  if (v === "just now") return v;
  return future ? `in ${v}` : `${v} ago`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;
}

/** A count that may be a lower bound (a capped total): "10,000+ chains" when `isExact` is false, never a silent 10,000. */
export function pluralAtLeast(n: number, isExact: boolean, one: string, many = `${one}s`): string {
  return isExact ? plural(n, one, many) : `${n.toLocaleString("en-US")}+ ${many}`;
}

/** Shorten a long id for tight places; the full value goes in a title attribute. */
export function shortId(id: string, max = 28): string {
  if (id.length <= max) return id;
  const head = Math.ceil((max - 1) * 0.6);
  const tail = max - 1 - head;
  return `${id.slice(0, head)}…${id.slice(id.length - tail)}`;
}
