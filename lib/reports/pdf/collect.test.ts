// collect.ts: the render thread gets a working `gc`, and no context made after it does.
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { fullCollection } from "./collect";

describe("fullCollection", () => {
  it("returns V8's gc, which runs, and leaves --expose-gc off for every context made later", () => {
    const hadGc = typeof (globalThis as { gc?: unknown }).gc === "function";
    const gc = fullCollection();
    expect(typeof gc).toBe("function");
    gc!();
    if (!hadGc) expect(runInNewContext("typeof gc")).toBe("undefined");
  });
});
