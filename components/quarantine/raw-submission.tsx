"use client";
// The bytes of a refused submission, exactly as received, shown as text. Raw input may hold
// markup: it goes into the page only as React text children (escaped), never as HTML.
// A JWS-shaped submission also shows its header and claims decoded, marked unverified.
import { FreeText } from "@/components/ui/free-text";
import { useMemo } from "react";
import { formatBytes } from "@/lib/ui/format";
import { CopyButton } from "../ui/copy-button";

/** Beyond this many characters the view shows the start and says so; Copy always takes all. */
export const RAW_DISPLAY_MAX = 20_000;

const JWS_RE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

function decodeSegment(segment: string): string | null {
  try {
    const b64 = segment
      .replace(/-/g, "+")
      .replace(/_/g, "/")
      .padEnd(Math.ceil(segment.length / 4) * 4, "=");
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const parsed: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    return JSON.stringify(parsed, null, 2);
  } catch {
    return null;
  }
}

export function decodeJws(raw: string): { header: string; claims: string } | null {
  const trimmed = raw.trim();
  if (trimmed.length > 200_000 || !JWS_RE.test(trimmed)) return null;
  const [h, p] = trimmed.split(".");
  const header = decodeSegment(h);
  const claims = decodeSegment(p);
  return header && claims ? { header, claims } : null;
}

export function byteLength(raw: string): number {
  return new TextEncoder().encode(raw).length;
}

function Block({ label, value, id }: { label: string; value: string; id: string }) {
  const shown = value.length > RAW_DISPLAY_MAX ? value.slice(0, RAW_DISPLAY_MAX) : value;
  return (
    <div className="min-w-0">
      <div className="mb-1 flex items-center justify-between gap-2">
        <h4 id={id} className="section-title mb-0">
          {label}
        </h4>
        <CopyButton value={value} label="Copy" />
      </div>
      <pre
        aria-labelledby={id}
        tabIndex={0}
        className="max-h-80 overflow-auto rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-xs leading-relaxed break-all whitespace-pre-wrap text-slate-800"
      >
        <FreeText value={shown} />
      </pre>
      {shown.length < value.length && (
        <p className="mt-1 text-xs text-amber-800">
          Showing the first {RAW_DISPLAY_MAX.toLocaleString("en-US")} of {value.length.toLocaleString("en-US")} characters; Copy takes all of it.
        </p>
      )}
    </div>
  );
}

export function RawSubmission({ id, raw }: { id: number; raw: string }) {
  const decoded = useMemo(() => decodeJws(raw), [raw]);
  return (
    <div className="space-y-3" data-testid="raw-submission">
      <Block id={`raw-title-${id}`} label={`Raw bytes as received (${formatBytes(byteLength(raw))})`} value={raw} />
      {decoded && (
        <div className="grid gap-3 lg:grid-cols-2">
          <Block id={`raw-header-${id}`} label="Decoded header (unverified)" value={decoded.header} />
          <Block id={`raw-claims-${id}`} label="Decoded claims (unverified)" value={decoded.claims} />
        </div>
      )}
    </div>
  );
}
