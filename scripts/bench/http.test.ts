import { describe, expect, it } from "vitest";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { csvRecordCounter, csvRecords, postEventsUntilAdmitted, sdkRetryWaitMs } from "./http";

const body = (s: string) => Buffer.from(s, "utf8");
const QUOTED = 'h\r\n1,"x: one\ny: two",3\r\n2,"say ""hi""\r\n, again",4\r\n';

describe("csvRecords", () => {
  it("counts records, not line feeds inside quoted cells", () => {
    expect(csvRecords(body("a,b\r\n1,2\r\n"))).toBe(2);
    // Two findings: their messages are one per line in one quoted cell.
    expect(csvRecords(body(QUOTED))).toBe(3);
    expect(csvRecords(body(""))).toBe(0);
  });

  it("counts the same when the body arrives in chunks cut anywhere, inside quotes included", () => {
    const whole = body(QUOTED);
    for (let size = 1; size <= whole.length; size++) {
      const counter = csvRecordCounter();
      for (let i = 0; i < whole.length; i += size) counter.push(whole.subarray(i, i + size));
      expect(counter.records(), `chunks of ${size}`).toBe(3);
    }
  });
});

describe("the soak's producer retries as our SDK does", () => {
  it("waits Retry-After and up to half as much again, and after no answer a doubling backoff jittered down by up to half, at most 30 s", () => {
    expect(sdkRetryWaitMs(0, 1000, () => 0)).toBe(1000);
    expect(sdkRetryWaitMs(7, 1000, () => 0.5)).toBe(1250);
    expect(sdkRetryWaitMs(0, 1000, () => 0.999)).toBeCloseTo(1499.5);
    expect(sdkRetryWaitMs(0, 60_000, () => 0)).toBe(30_000);
    expect(sdkRetryWaitMs(0, null, () => 0)).toBe(125);
    expect(sdkRetryWaitMs(2, null, () => 0)).toBe(500);
    expect(sdkRetryWaitMs(2, null, () => 1)).toBe(1000);
    expect(sdkRetryWaitMs(20, null, () => 1)).toBe(30_000);
  });

  it("sends the same bytes again after a refusal and, when told to, after a connection that got no answer", async () => {
    const bodies: string[] = [];
    const replies: ("refuse" | "drop" | "answer")[] = ["refuse", "drop", "answer", "drop"];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString("utf8")));
      req.on("end", () => {
        bodies.push(body);
        const reply = replies.shift();
        if (reply === "refuse") {
          res.writeHead(503, { "retry-after": "0", "content-type": "application/json" });
          res.end(JSON.stringify({ error: { code: "service_unavailable", message: "at capacity" } }));
        } else if (reply === "drop") req.socket.destroy();
        else {
          res.writeHead(200, { "content-type": "application/json" });
          res.end(JSON.stringify({ results: [{ jti: "a", status: "duplicate" }] }));
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const api = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, token: "t" };
    try {
      const seen: string[] = [];
      const results = await postEventsUntilAdmitted(
        api,
        ["a"],
        { refused: () => seen.push("refused"), failed: () => seen.push("failed"), resent: () => seen.push("resent") },
        { resendFailed: true, random: () => 0 },
      );
      expect(seen).toEqual(["refused", "resent", "failed", "resent"]);
      expect([...results]).toEqual([{ jti: "a", status: "duplicate" }]);
      expect(results.failedBefore).toBe(true);
      expect(new Set(bodies)).toEqual(new Set([JSON.stringify({ events: ["a"] })]));
      expect(bodies).toHaveLength(3);
      // Without resendFailed, a request that got no answer is the caller's failure.
      await expect(postEventsUntilAdmitted(api, ["a"])).rejects.toThrow("fetch failed");
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});
