import { describe, expect, it } from "vitest";
import { graphNav } from "./keyboard";

// human → (g1) → a → (g2) → b, a → (g3) → c, a invokes r (i1), attester t reported on b (att).
const nodes = [
  { id: "a", isRoot: false },
  { id: "t", isRoot: false },
  { id: "h", isRoot: true },
  { id: "b", isRoot: false },
  { id: "c", isRoot: false },
  { id: "r", isRoot: false },
];
const edges = [
  { id: "i1", source: "a", target: "r", kind: "invoke" },
  { id: "g1", source: "h", target: "a", kind: "grant" },
  { id: "g2", source: "a", target: "b", kind: "grant" },
  { id: "g3", source: "a", target: "c", kind: "grant" },
  { id: "att", source: "t", target: "b", kind: "attest" },
];

describe("graphNav", () => {
  it("orders the story from the human: each grant before the principal it reaches, actions after grants", () => {
    const nav = graphNav(nodes, edges);
    expect(nav.order).toEqual(["h", "g1", "a", "g2", "b", "att", "t", "g3", "c", "i1", "r"]);
    expect(nav.step("h", 1)).toBe("g1");
    expect(nav.step("g1", -1)).toBe("h");
    expect(nav.step("r", 1)).toBeNull();
    expect(nav.step("h", -1)).toBeNull();
  });

  it("follows edges with the arrow keys", () => {
    const nav = graphNav(nodes, edges);
    expect(nav.arrow("h", "ArrowRight")).toBe("g1");
    expect(nav.arrow("g1", "ArrowRight")).toBe("a");
    expect(nav.arrow("a", "ArrowLeft")).toBe("g1");
    expect(nav.arrow("g1", "ArrowLeft")).toBe("h");
    expect(nav.arrow("g2", "ArrowDown")).toBe("g3");
    expect(nav.arrow("g3", "ArrowUp")).toBe("g2");
    expect(nav.arrow("b", "ArrowDown")).toBe("c");
    expect(nav.arrow("att", "ArrowRight")).toBe("t");
    expect(nav.arrow("att", "ArrowLeft")).toBe("b");
    expect(nav.arrow("h", "ArrowUp")).toBeNull();
  });

  it("skips the dashed links to hidden stubs but reaches the stubs", () => {
    const nav = graphNav(
      [
        { id: "h", isRoot: true },
        { id: "x", isRoot: false },
      ],
      [{ id: "hx", source: "h", target: "x", kind: "hidden" }],
    );
    expect(nav.order).toEqual(["h", "x"]);
    expect(nav.arrow("h", "ArrowRight")).toBe("x");
  });
});
