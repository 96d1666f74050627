import { describe, expect, it } from "vitest";
import { sendJson } from "@/lib/http";

const body = { json: Buffer.from(JSON.stringify({ events: ["ä", "✓"] }), "utf8"), etag: 'W/"abc"' };
const request = (ifNoneMatch?: string) => new Request("http://x/api", { headers: ifNoneMatch === undefined ? {} : { "if-none-match": ifNoneMatch } });

describe("sendJson", () => {
  it("sends the JSON with its ETag, to be revalidated on every use", async () => {
    const res = sendJson(request(), body);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("etag")).toBe('W/"abc"');
    expect(res.headers.get("cache-control")).toBe("private, no-cache");
    expect(await res.json()).toEqual({ events: ["ä", "✓"] });
  });

  it("answers 304 with no body when If-None-Match names the ETag (or is *)", async () => {
    for (const header of ['W/"abc"', 'W/"old", W/"abc"', "*"]) {
      const res = sendJson(request(header), body);
      expect(res.status, header).toBe(304);
      expect(res.headers.get("etag")).toBe('W/"abc"');
      expect(await res.text()).toBe("");
    }
  });

  it("sends the body again for another ETag", async () => {
    const res = sendJson(request('W/"old"'), body, { headers: { "x-extra": "1" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-extra")).toBe("1");
    expect((await res.json()).events).toHaveLength(2);
  });
});
