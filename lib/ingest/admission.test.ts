import { describe, expect, it } from "vitest";
import { CREDENTIAL_MEMORY_MS, ESTIMATE_BYTES_PER_EVENT, estimateEvents, IngestAdmission } from "@/lib/ingest/admission";

describe("IngestAdmission", () => {
  it("admits up to the bound and refuses what would exceed it", () => {
    const a = new IngestAdmission(1000);
    const first = a.tryAdmit(600);
    expect(first).not.toBeNull();
    expect(a.queuedEvents).toBe(600);
    expect(a.tryAdmit(401)).toBeNull();
    expect(a.wouldAdmit(401)).toBe(false);
    expect(a.queuedEvents).toBe(600);
    const second = a.tryAdmit(400);
    expect(second).not.toBeNull();
    expect(a.queuedEvents).toBe(1000);
    expect(a.wouldAdmit(1)).toBe(false);
    expect(a.tryAdmit(1)).toBeNull();
  });

  it("always admits when nothing is queued, even a request larger than the bound", () => {
    const a = new IngestAdmission(100);
    const big = a.tryAdmit(1000);
    expect(big).not.toBeNull();
    expect(a.queuedEvents).toBe(1000);
    expect(a.tryAdmit(1)).toBeNull();
    big!.release();
    expect(a.queuedEvents).toBe(0);
    expect(a.tryAdmit(1000)).not.toBeNull();
  });

  it("releases a ticket once, however often it is released", () => {
    const a = new IngestAdmission(10);
    const t = a.tryAdmit(4)!;
    const u = a.tryAdmit(3)!;
    t.release();
    t.release();
    expect(a.queuedEvents).toBe(3);
    u.release();
    expect(a.queuedEvents).toBe(0);
  });

  it("admit holds the events while the work runs and releases them when it succeeds", async () => {
    const a = new IngestAdmission(10);
    let finish!: (v: string) => void;
    const running = a.admit(null, 8, () => new Promise<string>((resolve) => (finish = resolve)));
    expect(a.queuedEvents).toBe(8);
    expect(await a.admit(null, 3, async () => "not run")).toBeNull();
    finish("stored");
    expect(await running).toEqual({ value: "stored" });
    expect(a.queuedEvents).toBe(0);
  });

  it("admit releases the events when the work throws, and does not run refused work", async () => {
    const a = new IngestAdmission(10);
    await expect(
      a.admit(null, 7, async () => {
        throw new Error("database down");
      }),
    ).rejects.toThrow("database down");
    expect(a.queuedEvents).toBe(0);
    const hold = a.tryAdmit(10)!;
    let ran = false;
    expect(
      await a.admit(null, 1, async () => {
        ran = true;
      }),
    ).toBeNull();
    expect(ran).toBe(false);
    hold.release();
    expect(await a.admit(null, 1, async () => "ok")).toEqual({ value: "ok" });
  });

  it("admit releases the events when the work throws synchronously", async () => {
    const a = new IngestAdmission(10);
    await expect(
      a.admit(null, 5, () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(a.queuedEvents).toBe(0);
  });

  it("admit runs on the ticket taken before Next, settled to the counted events, and releases it however the work ends", async () => {
    const a = new IngestAdmission(10);
    const t0 = 1_000_000;
    a.noteAuthenticated("Bearer good", t0);
    const early = a.admitEarly("Bearer good", String(2 * ESTIMATE_BYTES_PER_EVENT), t0) as { id: string };
    expect(a.queuedEvents).toBe(2);
    let during = -1;
    expect(await a.admit(early.id, 6, async () => (during = a.queuedEvents))).toEqual({ value: 6 });
    expect(during).toBe(6);
    expect(a.queuedEvents).toBe(0);
    a.releaseEarly(early.id);
    expect(a.queuedEvents).toBe(0);

    const thrown = a.admitEarly("Bearer good", "1", t0) as { id: string };
    await expect(
      a.admit(thrown.id, 3, () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(a.queuedEvents).toBe(0);
    a.releaseEarly(thrown.id);

    // Settled past the bound beside other work: refused, not run, and the early ticket released.
    const other = a.tryAdmit(5)!;
    const late = a.admitEarly("Bearer good", "1", t0) as { id: string };
    expect(a.queuedEvents).toBe(6);
    let ran = false;
    expect(
      await a.admit(late.id, 6, async () => {
        ran = true;
      }),
    ).toBeNull();
    expect(ran).toBe(false);
    expect(a.queuedEvents).toBe(5);
    a.releaseEarly(late.id);
    other.release();
    expect(a.queuedEvents).toBe(0);
  });

  it("refuses before authentication only credentials it authenticated lately, and only while the queue is full", () => {
    const a = new IngestAdmission(2);
    const t0 = 1_000_000;
    a.noteAuthenticated("Bearer good", t0);
    a.noteAuthenticated(null, t0);
    const early = a.admitEarly("Bearer good", "1", t0);
    expect(early).toEqual({ id: expect.any(String) });
    a.releaseEarly((early as { id: string }).id);
    const hold = a.tryAdmit(2)!;
    expect(a.admitEarly("Bearer good", "1", t0 + CREDENTIAL_MEMORY_MS)).toBe("refuse");
    expect(a.admitEarly("Bearer good", "1", t0 + CREDENTIAL_MEMORY_MS + 1)).toBe("pass");
    expect(a.admitEarly("Bearer other", "1", t0)).toBe("pass");
    expect(a.admitEarly(undefined, "1", t0)).toBe("pass");
    expect(a.admitEarly(null, "1", t0)).toBe("pass");
    hold.release();
    const again = a.admitEarly("Bearer good", "1", t0);
    expect(again).toEqual({ id: expect.any(String) });
    a.releaseEarly((again as { id: string }).id);
    expect(a.queuedEvents).toBe(0);
  });

  it("settles an estimated weight to the counted one, refusing (and releasing) when that would exceed the bound", () => {
    const a = new IngestAdmission(10);
    const other = a.tryAdmit(4)!;
    const t = a.tryAdmit(2)!;
    expect(t.settle(6)).toBe(true);
    expect(a.queuedEvents).toBe(10);
    expect(t.events).toBe(6);
    expect(t.settle(1)).toBe(true);
    expect(a.queuedEvents).toBe(5);
    expect(t.settle(7)).toBe(false);
    expect(a.queuedEvents).toBe(4);
    t.release();
    expect(a.queuedEvents).toBe(4);
    other.release();
    // Alone, any weight settles.
    const alone = a.tryAdmit(1)!;
    expect(alone.settle(1000)).toBe(true);
    alone.release();
    expect(a.queuedEvents).toBe(0);
  });

  it("admits early on an estimate only for credentials it authenticated lately, and releases by id", () => {
    const a = new IngestAdmission(100);
    const t0 = 5_000_000;
    expect(a.admitEarly("Bearer good", "60000", t0)).toBe("pass");
    a.noteAuthenticated("Bearer good", t0);
    const first = a.admitEarly("Bearer good", String(60 * ESTIMATE_BYTES_PER_EVENT), t0);
    expect(first).toEqual({ id: expect.any(String) });
    expect(a.queuedEvents).toBe(60);
    expect(a.admitEarly("Bearer good", String(41 * ESTIMATE_BYTES_PER_EVENT), t0)).toBe("refuse");
    expect(a.admitEarly("Bearer other", String(41 * ESTIMATE_BYTES_PER_EVENT), t0)).toBe("pass");
    const id = (first as { id: string }).id;
    expect(a.claimEarly(id)?.events).toBe(60);
    expect(a.claimEarly("nope")).toBeNull();
    expect(a.claimEarly(null)).toBeNull();
    a.releaseEarly(id);
    a.releaseEarly(id);
    expect(a.queuedEvents).toBe(0);
    expect(a.claimEarly(id)).toBeNull();
    expect(estimateEvents(undefined)).toBe(1);
    expect(estimateEvents("0")).toBe(1);
    expect(estimateEvents("junk")).toBe(1);
    expect(estimateEvents(String(ESTIMATE_BYTES_PER_EVENT + 1))).toBe(2);
  });

  it("refuses a bound that is not a whole number of at least 1", () => {
    expect(() => new IngestAdmission(0)).toThrow(/maxQueuedEvents/);
    expect(() => new IngestAdmission(2.5)).toThrow(/maxQueuedEvents/);
  });
});
