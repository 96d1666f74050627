// Admission control for the ingest: a bound on the events admitted and not yet answered.
//
// Past its capacity the server used to accept every request and slow down for all of them (a
// thousand requests in flight, throughput down to a third, half the producers timing out:
// docs/benchmarks.md, "The evening's quiet measurements"). With a bound, a request that would take
// the queue past it is refused at once with 503 and Retry-After (the SDK comes back), before its
// signatures are verified, so what is admitted waits behind a bounded amount of work. Events, not requests: a batch
// of 1,000 costs a thousand times one of 1. A request is always admitted when nothing is queued, so
// a batch larger than the bound still gets in when the server is idle.
//
// One counter per server process: the ingest's CPU (verification on the thread pool, the write on
// the main thread) is the process's, and so is the queue it builds.
//
// A refusal must cost far less than the work it spares: a refusal through Next (routing, the
// proxy, the route) costs a few milliseconds of the main thread, and hundreds of producers coming
// back every second spent the server's whole capacity on them (docs/benchmarks.md, "Admission
// control for the ingest"). So the counter is also published on globalThis, and scripts/server.mjs
// admits or refuses a POST /api/v1/events before Next sees it, on an estimate of its weight from
// Content-Length, when it carries the Authorization header this process authenticated in the last
// CREDENTIAL_MEMORY_MS (requests inside Next and not yet counted would otherwise let a crowd past a
// full queue); the route settles the weight to the counted events. Authentication still comes
// first for anyone else (an unknown or wrong credential goes through Next and gets its 401).
import { createHash } from "node:crypto";
import { env } from "@/lib/env";

/**
 * Retry-After on a refusal, in seconds (the header's unit; 1 is its shortest wait above none). The
 * default bound holds more than a second of work, so producers coming back find the queue still
 * busy rather than empty; the SDK waits exactly this long (capped at its retry.maxDelayMs) and
 * sends the same bytes again.
 */
export const INGEST_RETRY_AFTER_SECONDS = 1;

export const INGEST_AT_CAPACITY_MESSAGE = `The ingest is at capacity; nothing of this request was stored. Send it again in ${INGEST_RETRY_AFTER_SECONDS} s.`;

/** How long an authenticated credential may be refused before Next (and so before authentication) sees it again. */
export const CREDENTIAL_MEMORY_MS = 10_000;

/** The header scripts/server.mjs hands the route an early ticket's id in (x-delegraph-* are its own). */
export const ADMISSION_HEADER = "x-delegraph-admission";

const credentialKey = (credentials: string) => createHash("sha256").update(credentials).digest("base64");

/**
 * What an admitted request holds until it is answered; releasing twice releases once. `settle`
 * replaces an estimated weight with the counted one: false (and released) when the counted one
 * would exceed the bound.
 */
export type TAdmissionTicket = { readonly events: number; release: () => void; settle: (events: number) => boolean };

/**
 * A request's weight before its body is read: its declared length over this many bytes (a DEP
 * token is ~400–1,000 bytes; the bench's average ~700), at least one event.
 */
export const ESTIMATE_BYTES_PER_EVENT = 600;

export function estimateEvents(contentLength: string | null | undefined): number {
  const bytes = Number(contentLength ?? "");
  return Number.isFinite(bytes) && bytes > 0 ? Math.max(1, Math.ceil(bytes / ESTIMATE_BYTES_PER_EVENT)) : 1;
}

export class IngestAdmission {
  private queued = 0;
  /** sha256 of the credential headers the ingest authenticated → when (ms) */
  private readonly authenticated = new Map<string, number>();
  /** tickets taken by scripts/server.mjs before Next, by the id it hands the route in a header */
  private readonly early = new Map<string, TAdmissionTicket>();
  private nextId = 0;

  constructor(readonly maxQueuedEvents: number) {
    if (!(Number.isInteger(maxQueuedEvents) && maxQueuedEvents >= 1))
      throw new Error(`maxQueuedEvents must be a whole number ≥ 1 (got ${maxQueuedEvents})`);
  }

  /** For scripts/server.mjs, which answers without lib/http. */
  readonly atCapacityMessage = INGEST_AT_CAPACITY_MESSAGE;
  readonly retryAfterSeconds = INGEST_RETRY_AFTER_SECONDS;

  /** Events admitted and not yet answered. */
  get queuedEvents(): number {
    return this.queued;
  }

  /** Whether a request of `events` would be admitted now: always when nothing is queued. */
  wouldAdmit(events: number): boolean {
    return this.queued === 0 || this.queued + events <= this.maxQueuedEvents;
  }

  /** Admits `events` (counted until the ticket is released), or null when they would exceed the bound. */
  tryAdmit(events: number): TAdmissionTicket | null {
    if (!this.wouldAdmit(events)) return null;
    this.queued += events;
    let held = true;
    let weight = events;
    const ticket: TAdmissionTicket = {
      get events() {
        return weight;
      },
      release: () => {
        if (!held) return;
        held = false;
        this.queued -= weight;
      },
      settle: (counted) => {
        if (!held) return false;
        const others = this.queued - weight;
        if (others > 0 && others + counted > this.maxQueuedEvents) {
          ticket.release();
          return false;
        }
        this.queued += counted - weight;
        weight = counted;
        return true;
      },
    };
    return ticket;
  }

  /**
   * scripts/server.mjs, before Next sees a request: "pass" when its credentials were not
   * authenticated by the ingest lately (the route admits it after authentication), "refuse" when an
   * estimate of its weight would exceed the bound, else the id of the ticket taken for it (the route
   * settles its weight through `admit`; server.mjs releases it with `releaseEarly` when the answer
   * is sent, whatever happened in between).
   */
  admitEarly(
    credentials: string | null | undefined,
    contentLength: string | null | undefined,
    nowMs = Date.now(),
  ): "pass" | "refuse" | { id: string } {
    if (!this.recentlyAuthenticated(credentials, nowMs)) return "pass";
    const ticket = this.tryAdmit(estimateEvents(contentLength));
    if (ticket === null) return "refuse";
    const id = String(++this.nextId);
    this.early.set(id, ticket);
    return { id };
  }

  claimEarly(id: string | null | undefined): TAdmissionTicket | null {
    return (id && this.early.get(id)) || null;
  }

  releaseEarly(id: string): void {
    this.early.get(id)?.release();
    this.early.delete(id);
  }

  /** Remembers that the ingest authenticated these credentials (the Authorization header; producers send a bearer token) just now. */
  noteAuthenticated(credentials: string | null, nowMs = Date.now()): void {
    if (!credentials) return;
    if (this.authenticated.size > 1000) this.authenticated.clear();
    this.authenticated.set(credentialKey(credentials), nowMs);
  }

  private recentlyAuthenticated(credentials: string | null | undefined, nowMs: number): boolean {
    if (!credentials) return false;
    const at = this.authenticated.get(credentialKey(credentials));
    return at !== undefined && nowMs - at <= CREDENTIAL_MEMORY_MS;
  }

  /**
   * The route's one way in: runs `work` holding `events`, on the ticket scripts/server.mjs took for
   * this request before Next (`earlyId`, settled from its estimate to `events`) or else on a new
   * one, and releases it when `work` settles, answered or thrown. Null, without running `work`, when
   * the events would exceed the bound (an early ticket is released then too).
   */
  async admit<T>(earlyId: string | null | undefined, events: number, work: () => Promise<T>): Promise<{ value: T } | null> {
    const early = this.claimEarly(earlyId);
    const ticket = early ? (early.settle(events) ? early : null) : this.tryAdmit(events);
    if (ticket === null) return null;
    try {
      return { value: await work() };
    } finally {
      ticket.release();
    }
  }
}

/** Where scripts/server.mjs finds the counter (plain JavaScript, outside Next's bundles). */
const SHARED = Symbol.for("delegraph.ingestAdmission");

/** The process's admission counter, bounded by DELEGRAPH_INGEST_MAX_QUEUED_EVENTS. */
export function ingestAdmission(): IngestAdmission {
  const g = globalThis as { [SHARED]?: IngestAdmission };
  g[SHARED] ??= new IngestAdmission(env().DELEGRAPH_INGEST_MAX_QUEUED_EVENTS);
  return g[SHARED];
}
