import { describe, expect, it } from "vitest";
import { AppError, handleApiError, sendJson } from "@/lib/http";

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

  it("sends the kept bytes themselves, not a copy, and leaves them whole for the next response", async () => {
    // A kept body may be a slice of a larger buffer (Node pools small ones): only the slice is sent.
    const whole = Buffer.from('xxxx{"events":["ä","✓"]}yyyy', "utf8");
    const kept = { json: whole.subarray(4, whole.length - 4), etag: 'W/"k"' };
    const reader = sendJson(request(), kept).body!.getReader();
    const first = await reader.read();
    expect(first.value!.buffer).toBe(whole.buffer);
    expect(Buffer.from(first.value!).toString("utf8")).toBe('{"events":["ä","✓"]}');
    expect((await reader.read()).done).toBe(true);
    // However many responses send it, at once or one after another, each gets every byte and the
    // kept buffer is still there (not detached, not changed) afterwards.
    const texts = await Promise.all([1, 2, 3].map(() => sendJson(request(), kept).text()));
    expect(texts).toEqual(Array(3).fill('{"events":["ä","✓"]}'));
    expect(await sendJson(request(), kept).json()).toEqual({ events: ["ä", "✓"] });
    expect(whole.toString("utf8")).toBe('xxxx{"events":["ä","✓"]}yyyy');
  });

  it("sends the body again for another ETag", async () => {
    const res = sendJson(request('W/"old"'), body, { headers: { "x-extra": "1" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-extra")).toBe("1");
    expect((await res.json()).events).toHaveLength(2);
  });
});

describe("handleApiError", () => {
  it("sends an AppError's Retry-After with its envelope, and none when it has no wait", async () => {
    const busy = await handleApiError(new AppError("service_unavailable", "Busy; try again in 2 s.", 2));
    expect(busy.status).toBe(503);
    expect(busy.headers.get("retry-after")).toBe("2");
    expect(await busy.json()).toEqual({ error: { code: "service_unavailable", message: "Busy; try again in 2 s." } });
    const missing = await handleApiError(new AppError("not_found", "Not found."));
    expect(missing.status).toBe(404);
    expect(missing.headers.get("retry-after")).toBeNull();
  });
});
