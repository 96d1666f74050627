// The chain list's filters as they live in the URL (so a link reproduces the view) and as they
// go to the API. One parse, one serialise: the page, the export links and the query key agree.
import type { TChainStatus, TFindingCode } from "@/lib/protocol/types";
import { FINDING_CODES } from "@/lib/protocol/types";
import { CHAIN_STATUSES, type TChainSource } from "@/lib/protocol/grammar";
import { isChainSource } from "./sources";
import { CHAIN_REVIEW_STATUSES, type TChainReviewStatus } from "@/lib/contracts/review";

export { CHAIN_STATUSES } from "@/lib/protocol/grammar";

export const CHAIN_FILTER_KEYS = ["status", "principal", "scope", "purpose", "finding", "since", "until", "q", "source", "review"] as const;
export type TChainFilterKey = (typeof CHAIN_FILTER_KEYS)[number];

export type TChainFilters = {
  status?: TChainStatus;
  principal?: string;
  scope?: string;
  purpose?: string;
  finding?: TFindingCode;
  /** ISO 8601 instants (UTC), inclusive, compared with the root's iat */
  since?: string;
  until?: string;
  q?: string;
  source?: TChainSource;
  review?: TChainReviewStatus;
};

type TReadable = { get(name: string): string | null };

export function parseChainFilters(sp: TReadable): TChainFilters {
  const f: TChainFilters = {};
  const status = sp.get("status");
  if (status && (CHAIN_STATUSES as readonly string[]).includes(status)) f.status = status as TChainStatus;
  const finding = sp.get("finding");
  if (finding && (FINDING_CODES as readonly string[]).includes(finding)) f.finding = finding as TFindingCode;
  const source = sp.get("source");
  if (isChainSource(source)) f.source = source;
  const review = sp.get("review");
  if (review && (CHAIN_REVIEW_STATUSES as readonly string[]).includes(review)) f.review = review as TChainReviewStatus;
  for (const k of ["principal", "scope", "purpose", "since", "until", "q"] as const) {
    const v = sp.get(k)?.trim();
    if (v) f[k] = v;
  }
  return f;
}

/** Filters as API query parameters, in a stable order so equal filters give equal URLs and keys. */
export function chainFilterParams(f: TChainFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of CHAIN_FILTER_KEYS) {
    const v = f[k];
    if (v) out[k] = v;
  }
  return out;
}

export function hasChainFilters(f: TChainFilters): boolean {
  return CHAIN_FILTER_KEYS.some((k) => Boolean(f[k]));
}

/** `datetime-local` input value (local wall time) → ISO instant in UTC for the URL. */
export function localInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime())
    ? undefined
    : d
        .toISOString()
        .replace(/:00\.000Z$/, "Z")
        .replace(/\.000Z$/, "Z");
}

/** ISO instant from the URL → `datetime-local` input value in the reader's time zone. */
export function isoToLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(/^\d+$/.test(iso) ? Number(iso) * 1000 : iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
