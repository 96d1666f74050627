"use client";
import { formatDateTime, formatRelative, formatTime, isoUtc } from "@/lib/ui/format";
import { useTimeZone } from "@/lib/ui/time-zone";

/** A time in the zone the reader chose, zone printed; the exact UTC instant on hover and in the datetime attribute. */
export function Time({ t, mode = "short" }: { t: number | string; mode?: "short" | "full" | "relative" }) {
  const zone = useTimeZone();
  const iso = isoUtc(t);
  const text = mode === "full" ? formatDateTime(t, zone) : mode === "relative" ? formatRelative(t) : formatTime(t, new Date(), zone);
  return (
    <time dateTime={iso} title={iso} className="whitespace-nowrap tabular-nums" suppressHydrationWarning>
      {text}
    </time>
  );
}
