import { describe, expect, it } from "vitest";
import { chainTurnstile } from "@/lib/db/stores/ingest";

const settled = async (p: Promise<void>) => {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
};

describe("chainTurnstile", () => {
  it("holds a batch whose chains an earlier batch in flight writes mostly, until that batch leaves", async () => {
    const ts = chainTurnstile();
    const first = ts.turn();
    const second = ts.turn();
    await ts.before(first, ["a", "b", "c"]);
    const waiting = ts.before(second, ["a", "b", "c", "d"]);
    expect(await settled(waiting)).toBe(false);
    first.leave();
    expect(await settled(waiting)).toBe(true);
  });

  it("lets a batch through when at most half of its chains are in flight (a chain cut by the batch boundary)", async () => {
    const ts = chainTurnstile();
    const first = ts.turn();
    await ts.before(first, ["a", "b"]);
    expect(await settled(ts.before(ts.turn(), ["b", "c"]))).toBe(true);
    expect(await settled(ts.before(ts.turn(), ["x", "y", "z"]))).toBe(true);
  });

  it("counts the chains of every earlier turn together, and waits for each turn that shares any", async () => {
    const ts = chainTurnstile();
    const [one, two, three] = [ts.turn(), ts.turn(), ts.turn()];
    await ts.before(one, ["a", "b"]);
    await ts.before(two, ["c", "d"]);
    const waiting = ts.before(three, ["a", "c", "e"]);
    one.leave();
    expect(await settled(waiting)).toBe(false);
    two.leave();
    expect(await settled(waiting)).toBe(true);
  });

  it("never waits for a later turn: a batch reading its chains again after a released round keeps its place", async () => {
    const ts = chainTurnstile();
    const [first, second] = [ts.turn(), ts.turn()];
    await ts.before(first, ["a", "b"]);
    const waiting = ts.before(second, ["a", "b"]);
    expect(await settled(ts.before(first, ["a", "b"]))).toBe(true);
    first.leave();
    expect(await settled(waiting)).toBe(true);
    // Leaving twice (at the COMMIT, then when the batch ends) is harmless.
    first.leave();
    second.leave();
    expect(await settled(ts.before(ts.turn(), ["a", "b"]))).toBe(true);
  });
});
