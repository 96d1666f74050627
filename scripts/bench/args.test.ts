import { describe, expect, it } from "vitest";
import { parseBenchArgs } from "./args";

describe("npm run bench arguments", () => {
  it("defaults to a full run on SQLite", () => {
    expect(parseBenchArgs([])).toEqual({ mode: "full", json: null, database: "sqlite", keep: false, serverNodeOptions: null, graphNodes: null });
  });

  it("reads every flag, and the last mode flag wins", () => {
    expect(
      parseBenchArgs([
        "--smoke",
        "--quick",
        "--json",
        "f.json",
        "--database",
        "postgres",
        "--keep",
        "--server-node-options",
        "--max-old-space-size=256",
      ]),
    ).toEqual({
      mode: "quick",
      json: "f.json",
      database: "postgres",
      keep: true,
      serverNodeOptions: "--max-old-space-size=256",
      graphNodes: null,
    });
    expect(parseBenchArgs(["--quick", "--smoke"]).mode).toBe("smoke");
    expect(parseBenchArgs(["--quick", "--database", "both"]).database).toBe("both");
    expect(parseBenchArgs(["--server-node-options=--max-old-space-size=128"]).serverNodeOptions).toBe("--max-old-space-size=128");
  });

  it("reads the graph sizes and refuses nonsense", () => {
    expect(parseBenchArgs(["--smoke", "--graph-nodes", "1000,5000"]).graphNodes).toEqual([1000, 5000]);
    expect(() => parseBenchArgs(["--graph-nodes", "1000,x"])).toThrow("--graph-nodes 1000,x");
    expect(() => parseBenchArgs(["--graph-nodes", "1"])).toThrow(/--graph-nodes 1/);
  });

  it("refuses unknown flags, stray words, a missing file name and an unknown database", () => {
    expect(() => parseBenchArgs(["--fast"])).toThrow(/--fast.*use --smoke/);
    expect(() => parseBenchArgs(["smoke"])).toThrow(/use --smoke/);
    expect(() => parseBenchArgs(["--json"])).toThrow(/--json/);
    expect(() => parseBenchArgs(["--json", ""])).toThrow("--json needs a file name");
    expect(() => parseBenchArgs(["--database", "mysql"])).toThrow("--database mysql: use sqlite, postgres or both");
  });
});
