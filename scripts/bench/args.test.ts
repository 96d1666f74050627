import { describe, expect, it } from "vitest";
import { parseBenchArgs } from "./args";

describe("npm run bench arguments", () => {
  it("defaults to a full run on SQLite", () => {
    expect(parseBenchArgs([])).toEqual({
      mode: "full",
      json: null,
      database: "sqlite",
      keep: false,
      serverNodeOptions: null,
      graphNodes: null,
      events: null,
      soakSeconds: null,
    });
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
      events: null,
      soakSeconds: null,
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

  it("reads the fill size and the soak length, and refuses nonsense", () => {
    expect(parseBenchArgs(["--events", "10000000"]).events).toBe(10_000_000);
    expect(parseBenchArgs(["--events", "10_000_000", "--quick"])).toMatchObject({ events: 10_000_000, mode: "quick", soakSeconds: null });
    expect(parseBenchArgs(["--events=300,000"]).events).toBe(300_000);
    expect(parseBenchArgs(["--soak", "600"]).soakSeconds).toBe(600);
    expect(parseBenchArgs(["--soak", "120", "--events", "1000"])).toMatchObject({ soakSeconds: 120, events: 1000 });
    expect(() => parseBenchArgs(["--events", "1e7"])).toThrow("--events 1e7: use a whole number of events");
    expect(() => parseBenchArgs(["--events", "999"])).toThrow(/--events 999: .* from 1000 to 50000000/);
    expect(() => parseBenchArgs(["--events", "60000000"])).toThrow(/--events 60000000/);
    expect(() => parseBenchArgs(["--events", "1_00"])).toThrow(/--events 1_00/);
    expect(() => parseBenchArgs(["--soak", "-5"])).toThrow(/--soak/);
    expect(() => parseBenchArgs(["--soak", "5"])).toThrow("--soak 5: use a whole number of seconds from 10 to 86400");
    expect(() => parseBenchArgs(["--soak", "2.5"])).toThrow(/--soak 2.5/);
    expect(() => parseBenchArgs(["--soak"])).toThrow(/--soak/);
  });

  it("refuses unknown flags, stray words, a missing file name and an unknown database", () => {
    expect(() => parseBenchArgs(["--fast"])).toThrow(/--fast.*use --smoke/);
    expect(() => parseBenchArgs(["smoke"])).toThrow(/use --smoke/);
    expect(() => parseBenchArgs(["--json"])).toThrow(/--json/);
    expect(() => parseBenchArgs(["--json", ""])).toThrow("--json needs a file name");
    expect(() => parseBenchArgs(["--database", "mysql"])).toThrow("--database mysql: use sqlite, postgres or both");
  });
});
