// The review workflow over HTTP (docs/review.md): finding states, assignment, notes and history,
// bulk actions, accepted-risk expiry, chain sign-off into the PDF, the findings CSV and the
// filtered self-audit, with every role. Runs on the suite's database (SQLite, or PostgreSQL with
// TEST_DATABASE_URL).
import { beforeAll, describe, expect, it } from "vitest";
import { api, authorizeClaims, delegateClaims, invokeClaims, now, post, register, signToken, type TPrincipal } from "./helpers";

async function token(role: string) {
  const res = await api("/api/v1/tokens", { method: "POST", json: { name: `${role} review test`, role } });
  expect(res.status).toBe(201);
  return res.data.token as string;
}

let viewer: string;
let investigator: string;
let human: TPrincipal;
let agent: TPrincipal;

type TItem = {
  id: number | string;
  code: string;
  chainId: string;
  eventJti: string;
  review: { state: string; assignee: string | null; reopened: unknown };
};

/** A chain with two findings: an escalated delegation and an invoke outside its grant. */
async function chainWithFindings(): Promise<{ chain: string; items: TItem[] }> {
  const root = authorizeClaims(human.id, agent.id);
  const del = delegateClaims(root, agent.id, "agent:sub", { scope: ["finance/q1/*:read", "payments/*:write"] });
  const inv = invokeClaims(root, agent.id, { action: "hr/salaries:read", resource: "db://hr" });
  await post([signToken(root, human.key), signToken(del, agent.key), signToken(inv, agent.key)]);
  const list = await api(`/api/v1/findings?chain=${encodeURIComponent(root.chain)}`);
  expect(list.status).toBe(200);
  expect(list.data.items.length).toBeGreaterThanOrEqual(2);
  return { chain: root.chain, items: list.data.items };
}

beforeAll(async () => {
  [viewer, investigator] = await Promise.all([token("viewer"), token("investigator")]);
  [human, agent] = await Promise.all([register("human"), register("agent")]);
});

describe("finding states", () => {
  it("lists every finding as open and unassigned until someone decides", async () => {
    const { items } = await chainWithFindings();
    for (const f of items) expect(f.review).toMatchObject({ state: "open", assignee: null, reopened: null });
  });

  it("a viewer reads states and history but cannot change them", async () => {
    const { items } = await chainWithFindings();
    const id = items[0].id;
    expect((await api(`/api/v1/findings/${id}`, { token: viewer })).status).toBe(200);
    const patch = await api(`/api/v1/findings/${id}`, { method: "PATCH", token: viewer, json: { state: "acknowledged" } });
    expect(patch.status).toBe(403);
    expect((await api("/api/v1/findings/bulk", { method: "POST", token: viewer, json: { ids: [id], state: "acknowledged" } })).status).toBe(403);
  });

  it("an investigator walks a finding through its states, with a history of who and when", async () => {
    const { items } = await chainWithFindings();
    const id = items[0].id;
    const ack = await api(`/api/v1/findings/${id}`, {
      method: "PATCH",
      token: investigator,
      json: { state: "acknowledged", assignee: "ana@bank.example" },
    });
    expect(ack.status).toBe(200);
    expect(ack.data.review).toMatchObject({ state: "acknowledged", assignee: "ana@bank.example" });
    expect(ack.data.history.map((e: { action: string }) => e.action)).toEqual(["state", "assign"]);
    expect(ack.data.history[0].actor).toMatch(/^token:investigator review test$/);

    const noNote = await api(`/api/v1/findings/${id}`, { method: "PATCH", token: investigator, json: { state: "false_positive" } });
    expect(noNote.status).toBe(400);
    expect(noNote.data.error.message).toMatch(/note is required/);

    const comment = await api(`/api/v1/findings/${id}`, { method: "PATCH", token: investigator, json: { note: "=looking at the agent config" } });
    expect(comment.status).toBe(200);
    expect(comment.data.review.state).toBe("acknowledged");

    const fp = await api(`/api/v1/findings/${id}`, { method: "PATCH", token: investigator, json: { state: "false_positive", note: "test agent" } });
    expect(fp.data.review).toMatchObject({ state: "false_positive", note: "test agent" });

    const sideways = await api(`/api/v1/findings/${id}`, { method: "PATCH", token: investigator, json: { state: "resolved" } });
    expect(sideways.status).toBe(409);

    const unknown = await api(`/api/v1/findings/999999999`, { method: "PATCH", token: investigator, json: { state: "acknowledged" } });
    expect(unknown.status).toBe(404);

    const stateFilter = await api(`/api/v1/findings?chain=${encodeURIComponent(items[0].chainId)}&state=false_positive`);
    expect(stateFilter.data.items.map((f: TItem) => f.id)).toEqual([id]);
    const assigned = await api(`/api/v1/findings?chain=${encodeURIComponent(items[0].chainId)}&assignee=ana@bank.example`);
    expect(assigned.data.items.map((f: TItem) => f.id)).toEqual([id]);
    const unassigned = await api(`/api/v1/findings?chain=${encodeURIComponent(items[0].chainId)}&assignee=none`);
    expect(unassigned.data.items.map((f: TItem) => f.id)).not.toContain(id);
  });

  it("rejects a body that says nothing, unknown fields and an expiry without accepted_risk", async () => {
    const { items } = await chainWithFindings();
    const id = items[0].id;
    for (const json of [{}, { state: "done" }, { state: "resolved", extra: 1 }, { state: "resolved", acceptedUntil: now() + 60 }]) {
      expect((await api(`/api/v1/findings/${id}`, { method: "PATCH", token: investigator, json })).status, JSON.stringify(json)).toBe(400);
    }
  });

  it("reopens an accepted risk when its expiry passes, and says why", async () => {
    const { items } = await chainWithFindings();
    const id = items[0].id;
    const until = now() + 2;
    const r = await api(`/api/v1/findings/${id}`, {
      method: "PATCH",
      token: investigator,
      json: { state: "accepted_risk", note: "known until the fix ships", acceptedUntil: until },
    });
    expect(r.data.review).toMatchObject({ state: "accepted_risk", acceptedUntil: until });
    await new Promise((ok) => setTimeout(ok, 3000));
    const later = await api(`/api/v1/findings/${id}`);
    expect(later.data.review).toMatchObject({ state: "open", reopened: { kind: "expired", at: until } });
    const open = await api(`/api/v1/findings?chain=${encodeURIComponent(items[0].chainId)}&state=open`);
    expect(open.data.items.map((f: TItem) => f.id)).toContain(id);
    // The next change writes the reopen into the history first, as "system".
    const ack = await api(`/api/v1/findings/${id}`, { method: "PATCH", token: investigator, json: { state: "acknowledged" } });
    expect(ack.data.history.slice(-2).map((e: { actor: string; toState: string }) => [e.actor, e.toState])).toEqual([
      ["system", "open"],
      ["token:investigator review test", "acknowledged"],
    ]);
  });

  it("bulk-changes findings, each answering for itself", async () => {
    const { items } = await chainWithFindings();
    const ids = items.map((f) => f.id);
    const res = await api("/api/v1/findings/bulk", {
      method: "POST",
      token: investigator,
      json: { ids: [...ids, 999999999], state: "resolved", note: "rotated keys" },
    });
    expect(res.status).toBe(200);
    expect(res.data.results.filter((r: { ok: boolean }) => r.ok)).toHaveLength(ids.length);
    expect(res.data.results.at(-1)).toMatchObject({ id: 999999999, ok: false, error: { code: "not_found" } });
    const again = await api("/api/v1/findings/bulk", { method: "POST", token: investigator, json: { ids, state: "resolved" } });
    expect(again.data.results.every((r: { ok: boolean; error?: { code: string } }) => !r.ok && r.error?.code === "conflict")).toBe(true);
  });
});

describe("chain review and sign-off", () => {
  it("refuses a sign-off while findings are undecided, then signs off into the list and the PDF", async () => {
    const { chain, items } = await chainWithFindings();
    const path = `/api/v1/chains/${encodeURIComponent(chain)}/review`;
    const start = await api(path);
    expect(start.data).toMatchObject({ status: "unreviewed", reviewer: null });
    expect((await api(path, { method: "PUT", token: viewer, json: { status: "in_review" } })).status).toBe(403);
    expect((await api(path, { method: "PUT", token: investigator, json: { status: "in_review" } })).data.status).toBe("in_review");
    const blocked = await api(path, { method: "PUT", token: investigator, json: { status: "signed_off", statement: "All fine." } });
    expect(blocked.status).toBe(409);
    expect(blocked.data.error.message).toMatch(/still open or acknowledged/);
    expect((await api(path, { method: "PUT", token: investigator, json: { status: "signed_off" } })).status).toBe(400);
    await api("/api/v1/findings/bulk", {
      method: "POST",
      token: investigator,
      json: { ids: items.map((f) => f.id), state: "accepted_risk", note: "pilot only" },
    });
    const signed = await api(path, {
      method: "PUT",
      token: investigator,
      json: { status: "signed_off", statement: "Reviewed every hop; risks accepted for the pilot." },
    });
    expect(signed.status).toBe(200);
    expect(signed.data).toMatchObject({
      status: "signed_off",
      reviewer: "investigator review test",
      statement: "Reviewed every hop; risks accepted for the pilot.",
    });
    expect(signed.data.findingStates.accepted_risk).toBe(items.length);
    expect(signed.data.history.map((e: { action: string }) => e.action)).toEqual(["review_status", "sign_off"]);

    const listed = await api(`/api/v1/chains?review=signed_off&q=${encodeURIComponent(chain)}`);
    expect(listed.data.items.map((c: { id: string; review: string }) => [c.id, c.review])).toEqual([[chain, "signed_off"]]);
    const unreviewed = await api(`/api/v1/chains?review=unreviewed&q=${encodeURIComponent(chain)}`);
    expect(unreviewed.data.items).toEqual([]);

    const pdf = await fetch((await import("vitest")).inject("serverUrl") + `/api/v1/chains/${encodeURIComponent(chain)}/report.pdf`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(pdf.status).toBe(200);
    expect((await pdf.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  });
});

describe("exports of the review", () => {
  it("the findings CSV carries each finding's review, formula cells neutralised", async () => {
    const { chain, items } = await chainWithFindings();
    await api(`/api/v1/findings/${items[0].id}`, {
      method: "PATCH",
      token: investigator,
      json: { state: "false_positive", note: '=HYPERLINK("x")' },
    });
    const res = await api(`/api/v1/exports/findings.csv?chain=${encodeURIComponent(chain)}`, { token: viewer });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = (res.data as string).trimEnd().split("\r\n");
    expect(lines[0]).toBe(
      "id,chain,event,event_kind,iss,iat,code,severity,message,read_time,state,assignee,note,accepted_until,reopened,updated_at,updated_by",
    );
    expect(lines).toHaveLength(items.length + 1);
    expect(lines.find((l) => l.startsWith(`${items[0].id},`))).toContain(`false_positive,,"'=HYPERLINK(""x"")"`);
    expect(lines[1].split(",")[5]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    // CSV for Excel: the same rows, times as plain UTC date-times.
    const excel = await api(`/api/v1/exports/findings.csv?excel=1&chain=${encodeURIComponent(chain)}`, { token: viewer });
    expect((excel.data as string).split("\r\n")[1].split(",")[5]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it("the self-audit filters by actor, action, target and time, and exports as CSV (admins only)", async () => {
    const { items } = await chainWithFindings();
    await api(`/api/v1/findings/${items[0].id}`, { method: "PATCH", token: investigator, json: { state: "acknowledged" } });
    const target = `finding:${items[0].eventJti}:${items[0].code}`;
    const res = await api(`/api/v1/audit?action=finding.&target=${encodeURIComponent(target)}&actor=investigator`);
    expect(res.status).toBe(200);
    expect(res.data.items.map((e: { action: string; target: string }) => [e.action, e.target])).toEqual([["finding.state", target]]);
    expect(res.data.items[0].detail).toMatchObject({ from: "open", to: "acknowledged" });
    const future = await api(`/api/v1/audit?action=finding.&since=${now() + 3600}`);
    expect(future.data.items).toEqual([]);
    const csv = await api(`/api/v1/audit/export.csv?target=${encodeURIComponent(target)}`);
    expect(csv.status).toBe(200);
    expect((csv.data as string).split("\r\n")[0]).toBe("id,at,actor,action,target,ip,detail");
    expect(csv.data).toContain("finding.state");
    expect((await api("/api/v1/audit/export.csv", { token: investigator })).status).toBe(403);
    expect((await api("/api/v1/audit?action=finding.", { token: viewer })).status).toBe(403);
  });
});

/** An NDJSON answer as its lines (the api() helper would parse a one-line answer as JSON). */
async function ndjson(path: string, token: string) {
  const { inject } = await import("vitest");
  const res = await fetch(inject("serverUrl") + path, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type"), lines: text.trimEnd().split("\n") };
}

describe("the SIEM stream", () => {
  it("pages events and findings after a cursor as NDJSON, the next cursor in the last line", async () => {
    const { chain, items } = await chainWithFindings();
    type TLine = { type: string; chain?: string; id?: number; next?: string; more?: boolean };
    const seen: TLine[] = [];
    let since = "";
    let last: TLine | undefined;
    for (let i = 0; i < 1000; i++) {
      const res = await ndjson(`/api/v1/stream?limit=50${since ? `&since=${since}` : ""}`, viewer);
      expect(res.status).toBe(200);
      expect(res.type).toMatch(/^application\/x-ndjson/);
      const lines = res.lines.map((l) => JSON.parse(l) as TLine);
      last = lines.at(-1)!;
      expect(last.type).toBe("cursor");
      seen.push(...lines.slice(0, -1));
      since = last.next!;
      if (!last.more) break;
    }
    expect(seen.filter((l) => l.type === "event" && l.chain === chain)).toHaveLength(3);
    expect(seen.filter((l) => l.type === "finding" && l.chain === chain).map((l) => l.id)).toEqual(expect.arrayContaining(items.map((f) => f.id)));
    const after = await ndjson(`/api/v1/stream?since=${since}`, viewer);
    expect(after.lines).toEqual([JSON.stringify({ type: "cursor", next: since, more: false })]);
    expect((await api("/api/v1/stream?since=nonsense")).status).toBe(400);
  });
});

describe("saved views", () => {
  it("saves a list's filters under a name, private or shared, and deletes them", async () => {
    const mine = await api("/api/v1/views", {
      method: "POST",
      token: viewer,
      json: { name: "Unreviewed violations", page: "chains", query: "?status=violation&review=unreviewed&cursor=abc&q=" },
    });
    expect(mine.status).toBe(201);
    expect(mine.data).toMatchObject({
      page: "chains",
      query: "status=violation&review=unreviewed",
      href: "/chains?status=violation&review=unreviewed",
      shared: false,
      isMine: true,
    });
    const shared = await api("/api/v1/views", {
      method: "POST",
      token: investigator,
      json: { name: "Open findings", page: "findings", query: "state=open", shared: true },
    });
    expect(shared.status).toBe(201);

    const asViewer = await api("/api/v1/views", { token: viewer });
    const names = asViewer.data.items.map((v: { name: string }) => v.name);
    expect(names).toEqual(expect.arrayContaining(["Unreviewed violations", "Open findings"]));
    const asInvestigator = await api("/api/v1/views", { token: investigator });
    expect(asInvestigator.data.items.map((v: { id: string }) => v.id)).not.toContain(mine.data.id);

    // Another's private view does not exist for you; a shared one is deleted by its owner or an admin.
    expect((await api(`/api/v1/views/${mine.data.id}`, { method: "DELETE", token: investigator })).status).toBe(404);
    expect((await api(`/api/v1/views/${shared.data.id}`, { method: "DELETE", token: viewer })).status).toBe(403);
    expect((await api(`/api/v1/views/${mine.data.id}`, { method: "DELETE", token: viewer })).status).toBe(204);
    expect((await api(`/api/v1/views/${shared.data.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api("/api/v1/views", { method: "POST", token: viewer, json: { name: "x", page: "principals", query: "" } })).status).toBe(400);
  });
});
