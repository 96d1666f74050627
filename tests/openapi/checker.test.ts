// The checker the integration suite holds every answer against (checker.ts): it compiles every
// operation's schemas, passes what matches and names what does not.
import { describe, expect, it } from "vitest";
import { OPERATIONS } from "@/lib/openapi/operations";
import { checkAnswer } from "./checker";

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const at = (path: string) => new URL(`http://127.0.0.1:3000${path}`);

describe("the OpenAPI answer checker", () => {
  it("passes an error envelope on every operation, which compiles every operation's schemas on the way", async () => {
    for (const op of OPERATIONS) {
      const path = op.path.replace(/\{[^}]+\}/g, "x");
      const status = op.permission === null ? 404 : 403;
      const problem = await checkAnswer(op.method, at(path), json({ error: { code: "forbidden", message: "no" } }, status));
      expect(problem === null || /does not list status 404/.test(problem.problem), `${op.operationId}: ${problem?.problem}`).toBe(true);
    }
  });

  it("names what a body breaks", async () => {
    const problem = await checkAnswer("GET", at("/api/v1/chains/abc"), json({ id: 1 }));
    expect(problem?.problem).toMatch(/body/);
    const wrongCode = await checkAnswer("GET", at("/api/v1/stats"), json({ error: { code: "teapot", message: "x" } }, 403));
    expect(wrongCode?.problem).toMatch(/code/);
  });

  it("passes a matching answer and checks formats", async () => {
    const page = { items: [{ id: "t1", name: "n", role: "viewer", createdAt: "2026-01-02T03:04:05.000Z", createdBy: null, revokedAt: null }] };
    expect(await checkAnswer("GET", at("/api/v1/tokens"), json(page))).toBeNull();
    const badDate = { items: [{ ...page.items[0], createdAt: "yesterday" }] };
    expect((await checkAnswer("GET", at("/api/v1/tokens"), json(badDate)))?.problem).toMatch(/date-time/);
  });

  it("flags a successful answer from a route the document does not describe, and a status it does not list", async () => {
    expect((await checkAnswer("GET", at("/api/v1/not-a-route"), json({})))?.problem).toMatch(/no operation/);
    expect(await checkAnswer("GET", at("/api/v1/not-a-route"), json({ error: { code: "not_found", message: "x" } }, 404))).toBeNull();
    expect((await checkAnswer("GET", at("/api/v1/stats"), json({ error: { code: "conflict", message: "x" } }, 409)))?.problem).toMatch(/409/);
  });
});
