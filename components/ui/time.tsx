"use client";
import { formatDateTime, formatRelative, formatTime, isoUtc } from "@/lib/ui/format";

/** A time in the reader's zone; the exact UTC instant on hover and in the datetime attribute. */
export function Time({ t, mode = "short" }: { t: number | string; mode?: "short" | "full" | "relative" }) {
  const iso = isoUtc(t);
  const text = mode === "full" ? formatDateTime(t) : mode === "relative" ? formatRelative(t) : formatTime(t);
  return (
    <time dateTime={iso} title={iso} className="whitespace-nowrap tabular-nums" suppressHydrationWarning>
      {text}
    </time>
  );
}
