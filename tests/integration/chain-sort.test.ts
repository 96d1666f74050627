// GET /api/v1/chains?sort=…: every sort orders all matching chains (not one page), and its cursor
// pages through them without a row lost or repeated. Runs on SQLite, and on PostgreSQL with
// TEST_DATABASE_URL (npm test runs both).
import { beforeAll, describe, expect, it } from "vitest";
import { CHAIN_SORTS, type TChainSortParam } from "@/lib/contracts/chains";
import { statusRank } from "@/lib/protocol/grammar";
import type { TChainStatus } from "@/lib/protocol/types";
import { api, authorizeClaims, delegateClaims, invokeClaims, now, post, register, signToken, uid, type TPrincipal } from "./helpers";

type TItem = {
  id: string;
  status: TChainStatus;
  purposeCode: string | null;
  startedAt: number;
  hopCount: number;
  counts: { critical: number; error: number; warning: number };
};

let tag = "";
let expiredChain = "";
let all: TItem[] = [];

beforeAll(async () => {
  const [human, planner, worker] = await Promise.all([register("human"), register("agent"), register("agent")]);
  tag = uid("sort")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
  const t0 = now() - 5000;
  const tokens: string[] = [];
  // Eleven chains: 0–3 delegations deep, three purposes (two chains share each start time with
  // another, so ties are broken by id), escalations (violation), an orphan (pending), and one whose
  // grant expired unreported (verified as stored, a warning as read now).
  const purposes = [`alpha.${tag}`, `bravo.${tag}`, `charlie.${tag}`];
  const chainStart = (i: number) => t0 + Math.floor(i / 2) * 10;
  for (let i = 0; i < 9; i++) {
    const root = authorizeClaims(human.id, planner.id, {
      iat: chainStart(i),
      exp: now() + 3600,
      scope: [`ops/${tag}/*:read`],
      purpose: { code: purposes[i % 3], text: `sorted ${tag}` },
    });
    tokens.push(signToken(root, human.key));
    let parent: { jti: string; chain: string } = root;
    let from: TPrincipal = planner;
    for (let d = 0; d < i % 4; d++) {
      const to = from === planner ? worker : planner;
      // Chains 5 and 7 escalate at their first delegation: a critical finding.
      const scope = (i === 5 || i === 7) && d === 0 ? [`ops/${tag}/*:read`, "mail/*:send"] : [`ops/${tag}/x${d}/*:read`];
      const del = delegateClaims(parent, from.id, to.id, {
        iat: chainStart(i) + d + 1,
        scope,
        purpose: { code: `${purposes[i % 3]}.d${d}`, text: "step" },
      });
      tokens.push(signToken(del, from.key));
      parent = del;
      from = to;
    }
    if (i === 2)
      tokens.push(
        signToken(invokeClaims(parent, from.id, { action: `ops/${tag}/x1/y:read`, resource: `db://${tag}/y`, iat: chainStart(i) + 5 }), from.key),
      );
  }
  const expired = authorizeClaims(human.id, planner.id, {
    iat: t0 + 3,
    exp: now() - 100,
    scope: [`ops/${tag}/*:read`],
    purpose: { code: purposes[1], text: `sorted ${tag}` },
  });
  expiredChain = expired.chain;
  tokens.push(signToken(expired, human.key));
  const orphan = delegateClaims({ jti: uid("ghost"), chain: uid("orphan") }, planner.id, worker.id, {
    iat: t0 + 7,
    purpose: { code: `${purposes[2]}.lost`, text: `sorted ${tag}` },
  });
  tokens.push(signToken(orphan, planner.key));
  const results = await post(tokens);
  expect(results.every((r) => r.status === "accepted" || r.status === "pending")).toBe(true);
  const listed = await api(`/api/v1/chains?q=${tag}&limit=200`);
  all = listed.data.items;
  expect(all).toHaveLength(11);
  expect(new Set(all.map((c) => c.status))).toEqual(new Set(["verified", "violation", "pending", "warning"]));
});

const byTime = (a: TItem, b: TItem) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
/** The stored warning count: the expired chain's read-time missing_evidence is shown but does not sort. */
const storedWarnings = (c: TItem) => c.counts.warning - (c.id === expiredChain ? 1 : 0);

const findingsGroup = (c: TItem) => (c.counts.critical + c.counts.error + storedWarnings(c) > 0 ? 2 : c.counts.warning > 0 ? 1 : 0);

/** What docs/api.md "Sorting the chain list" says each sort means, written independently of the store. */
function expected(sort: TChainSortParam): string[] {
  const sign = sort.startsWith("-") ? -1 : 1;
  const key = sort.replace(/^-/, "");
  const cmp: (a: TItem, b: TItem) => number =
    key === "status"
      ? // worst first (or best first), each status newest first; judged-now warnings after stored ones
        (a, b) =>
          sign * (statusRank(a.status) - statusRank(b.status)) ||
          sign * ((a.id === expiredChain ? 1 : 0) - (b.id === expiredChain ? 1 : 0)) ||
          -byTime(a, b)
      : key === "hops"
        ? (a, b) => sign * (a.hopCount - b.hopCount || byTime(a, b))
        : key === "findings"
          ? // stored findings above a read-time one only, above none
            (a, b) =>
              sign *
              (findingsGroup(a) - findingsGroup(b) ||
                a.counts.critical - b.counts.critical ||
                a.counts.error - b.counts.error ||
                storedWarnings(a) - storedWarnings(b) ||
                byTime(a, b))
          : key === "purpose"
            ? (a, b) =>
                a.purposeCode === null || b.purposeCode === null
                  ? (a.purposeCode === null ? 1 : 0) - (b.purposeCode === null ? 1 : 0) || sign * byTime(a, b)
                  : sign * (a.purposeCode < b.purposeCode ? -1 : a.purposeCode > b.purposeCode ? 1 : byTime(a, b))
            : (a, b) => sign * byTime(a, b);
  return [...all].sort(cmp).map((c) => c.id);
}

async function walk(sort: string, limit: number): Promise<{ ids: string[]; pages: number; totals: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await api(`/api/v1/chains?q=${tag}&sort=${sort}&limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    expect(res.status).toBe(200);
    ids.push(...res.data.items.map((c: TItem) => c.id));
    totals.push(res.data.total);
    expect(res.data.isTotalExact).toBe(true);
    cursor = res.data.nextCursor;
    pages += 1;
  } while (cursor && pages < 20);
  return { ids, pages, totals };
}

describe("GET /api/v1/chains?sort", () => {
  it.each(CHAIN_SORTS)("sort=%s orders every matching chain and pages through them three at a time", async (sort) => {
    const { ids, pages, totals } = await walk(sort, 3);
    expect(pages).toBe(4);
    expect(ids).toEqual(expected(sort));
    expect(new Set(totals)).toEqual(new Set([11]));
  });

  it("the sorts differ from one another and from the default order where the data says they must", async () => {
    expect(expected("hops")).not.toEqual(expected("started"));
    const statusOrder = (await walk("status", 5)).ids.map((id) => all.find((c) => c.id === id)!.status);
    expect(statusOrder[0]).toBe("violation");
    expect(statusOrder.at(-1)).toBe("verified");
    const noSort = await api(`/api/v1/chains?q=${tag}&limit=200`);
    expect(noSort.data.items.map((c: TItem) => c.id)).toEqual(expected("-started"));
  });

  it("rejects an unknown sort and a cursor of another sort (400 invalid_request)", async () => {
    const bad = await api(`/api/v1/chains?q=${tag}&sort=rootName`);
    expect(bad.status).toBe(400);
    expect(bad.data.error.code).toBe("invalid_request");
    const first = await api(`/api/v1/chains?q=${tag}&sort=hops&limit=2`);
    const crossed = await api(`/api/v1/chains?q=${tag}&sort=-purpose&limit=2&cursor=${first.data.nextCursor}`);
    expect(crossed.status).toBe(400);
    expect(crossed.data.error.code).toBe("invalid_request");
    const unsortedCursor = (await api(`/api/v1/chains?q=${tag}&limit=2`)).data.nextCursor;
    expect((await api(`/api/v1/chains?q=${tag}&sort=hops&cursor=${unsortedCursor}`)).status).toBe(400);
  });
});
