// Global search against a real SQLite file filled through the real registry and ingest. (The store
// operations it uses are compared between SQLite and PostgreSQL in lib/db/stores.contract.db.test.ts.)
import { beforeAll, describe, expect, it } from "vitest";
import { ingest, seedStoryChain, useFreshDatabase } from "@/lib/reports/test-fixtures";

let story: Awaited<ReturnType<typeof seedStoryChain>>;
let search: typeof import("./search").search;

beforeAll(async () => {
  await useFreshDatabase();
  ({ search } = await import("./search"));
  story = await seedStoryChain();
  await ingest(story.tokens);
}, 120_000);

describe("search", () => {
  it("opens an exact chain id without suggestions", async () => {
    const a = await search(story.chain);
    expect(a.exact).toEqual({ kind: "chain", href: `/chains/${encodeURIComponent(story.chain)}` });
    expect(Object.values(a.groups).flat()).toEqual([]);
  });

  it("opens an exact event jti at that hop of its chain", async () => {
    const a = await search(`${story.chain}.ghost`);
    expect(a.exact).toEqual({ kind: "event", href: `/chains/${encodeURIComponent(story.chain)}?hop=${encodeURIComponent(`${story.chain}.ghost`)}` });
  });

  it("suggests chains, events, principals and resources for a fragment", async () => {
    const planner = story.principals[1];
    const byPrincipal = await search(planner.id.slice(0, -2));
    expect(byPrincipal.exact).toBeNull();
    expect(byPrincipal.groups.principals.map((h) => h.label)).toContain(planner.id);
    expect(byPrincipal.groups.principals[0].href).toBe(`/principals/${encodeURIComponent(byPrincipal.groups.principals[0].label)}`);

    const byResource = await search("paste.example", { canInvestigate: true });
    expect(byResource.groups.resources).toEqual([
      {
        label: "https://paste.example.net/upload",
        detail: "who touched it",
        href: `/investigate?resource=${encodeURIComponent("https://paste.example.net/upload")}`,
      },
    ]);
    expect(byResource.groups.chains.map((h) => h.href)).toContain(`/chains/${encodeURIComponent(story.chain)}`);
    // A viewer cannot open investigations: the suggestion lists the chains instead.
    expect((await search("paste.example")).groups.resources[0].href).toBe(`/chains?q=${encodeURIComponent("https://paste.example.net/upload")}`);

    const byJti = await search(`${story.chain}.wi`);
    expect(byJti.exact).toBeNull();
    expect(byJti.groups.events.map((h) => h.label)).toEqual([`${story.chain}.wire`]);
    expect(byJti.groups.events[0].href).toContain(`?hop=${encodeURIComponent(`${story.chain}.wire`)}`);
  });

  it("answers empty groups when nothing matches", async () => {
    const a = await search("nothing-matches-this-zz");
    expect(a).toEqual({ q: "nothing-matches-this-zz", exact: null, groups: { chains: [], events: [], principals: [], resources: [] } });
  });
});
