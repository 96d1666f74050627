import { describe, expect, it } from "vitest";
import { benchObservedIngest, synthesizeRequests } from "./bench";

describe("benchObservedIngest", () => {
  it("decodes, classifies and assembles the same workload in both encodings, and reports spans per second", () => {
    const { protobuf, json } = benchObservedIngest({ spans: 400, spansPerRequest: 128 });
    for (const figure of [protobuf, json]) {
      expect(figure.spans).toBe(400);
      expect(figure.requests).toBe(4);
      expect(figure.chains).toBe(20); // ten-span traces, two per conversation
      expect(figure.spansPerSec).toBeGreaterThan(0);
      expect(figure.decodeMs + figure.assembleMs).toBeGreaterThan(0);
    }
    expect(protobuf.bodyBytes).toBeLessThan(json.bodyBytes);
  });

  it("measures gzipped bodies when asked", () => {
    const plain = benchObservedIngest({ spans: 200, spansPerRequest: 200 });
    const gzip = benchObservedIngest({ spans: 200, spansPerRequest: 200, gzip: true });
    expect(gzip.json.gzip).toBe(true);
    expect(gzip.json.bodyBytes).toBeLessThan(plain.json.bodyBytes);
    expect(gzip.json.chains).toBe(plain.json.chains);
  });

  it("builds whole ten-span traces", () => {
    const docs = synthesizeRequests(25, 512) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] }[];
    expect(docs[0].resourceSpans[0].scopeSpans[0].spans).toHaveLength(30);
  });
});
