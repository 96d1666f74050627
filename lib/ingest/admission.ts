// Admission control for the ingest: a bound on the events admitted and not yet answered.
//
// Past its capacity the server used to accept every request and slow down for all of them (a
// thousand requests in flight, throughput down to a third, half the producers timing out:
// docs/benchmarks.md, "The evening's quiet measurements"). With a bound, a request that would take
// the queue past it is refused at once with 503 and Retry-After (the SDK comes back), before its
// signatures are verified, and the admitted ones keep their latency. Events, not requests: a batch
// of 1,000 costs a thousand times one of 1. A request is always admitted when nothing is queued, so
// a batch larger than the bound still gets in when the server is idle.
//
// One counter per server process: the ingest's CPU (verification on the thread pool, the write on
// the main thread) is the process's, and so is the queue it builds.
import { env } from "@/lib/env";

/**
 * Retry-After on a refusal, in seconds (the header's unit; 1 is its shortest wait above none). The
 * bound holds well under a second of work, so the queue has turned over by then; the SDK waits
 * exactly this long (capped at its retry.maxDelayMs) and sends the same bytes again.
 */
export const INGEST_RETRY_AFTER_SECONDS = 1;

/** What an admitted request holds until it is answered; releasing twice releases once. */
export type TAdmissionTicket = { readonly events: number; release: () => void };

export class IngestAdmission {
  private queued = 0;

  constructor(readonly maxQueuedEvents: number) {
    if (!(Number.isInteger(maxQueuedEvents) && maxQueuedEvents >= 1))
      throw new Error(`maxQueuedEvents must be a whole number ≥ 1 (got ${maxQueuedEvents})`);
  }

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
    return {
      events,
      release: () => {
        if (!held) return;
        held = false;
        this.queued -= events;
      },
    };
  }

  /**
   * Runs `work` admitted for `events`, released when it settles (answered or thrown); null, without
   * running it, when the events would exceed the bound.
   */
  async run<T>(events: number, work: () => Promise<T>): Promise<{ value: T } | null> {
    const ticket = this.tryAdmit(events);
    if (ticket === null) return null;
    try {
      return { value: await work() };
    } finally {
      ticket.release();
    }
  }
}

let shared: IngestAdmission | null = null;

/** The process's admission counter, bounded by DELEGRAPH_INGEST_MAX_QUEUED_EVENTS. */
export function ingestAdmission(): IngestAdmission {
  shared ??= new IngestAdmission(env().DELEGRAPH_INGEST_MAX_QUEUED_EVENTS);
  return shared;
}
