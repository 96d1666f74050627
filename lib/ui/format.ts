// Dates and sizes for people. Event times are NumericDates (seconds); everything shows in the
// reader's time zone with the exact UTC instant one hover away (title attributes).

export function toDate(t: number | string): Date {
  return typeof t === "number" ? new Date(t * 1000) : new Date(t);
}

export function isoUtc(t: number | string): string {
  const d = toDate(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString();
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "14:05" today, "27 Nov 14:05" this year, "27 Nov 2024 14:05" otherwise. */
export function formatTime(t: number | string, now: Date = new Date()): string {
  const d = toDate(t);
  if (Number.isNaN(d.getTime())) return "—";
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (d.toDateString() === now.toDateString()) return hm;
  const month = d.toLocaleString("en-GB", { month: "short" });
  if (d.getFullYear() === now.getFullYear()) return `${d.getDate()} ${month} ${hm}`;
  return `${d.getDate()} ${month} ${d.getFullYear()} ${hm}`;
}

/** Full local date and time with seconds, for detail views. */
export function formatDateTime(t: number | string): string {
  const d = toDate(t);
  if (Number.isNaN(d.getTime())) return "—";
  const month = d.toLocaleString("en-GB", { month: "short" });
  return `${d.getDate()} ${month} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
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

/** Shorten a long id for tight places; the full value goes in a title attribute. */
export function shortId(id: string, max = 28): string {
  if (id.length <= max) return id;
  const head = Math.ceil((max - 1) * 0.6);
  const tail = max - 1 - head;
  return `${id.slice(0, head)}…${id.slice(id.length - tail)}`;
}
