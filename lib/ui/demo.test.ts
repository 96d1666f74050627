import { describe, expect, it } from "vitest";
import { DEMO_PRINCIPALS } from "@/lib/sdk/demo";
import { DEMO_STORY_CARDS, isDemoRoot } from "./demo";

describe("demo story cards", () => {
  it("name exactly the humans the demo seeds, one per story", () => {
    const humans = DEMO_PRINCIPALS.filter((p) => p.kind === "human").map((p) => p.id);
    expect(DEMO_STORY_CARDS.map((s) => s.human)).toEqual(humans);
    expect(DEMO_STORY_CARDS).toHaveLength(6);
  });
  it("mark only chains rooted at a demo human", () => {
    expect(isDemoRoot("user:maria.chen@treasury.example")).toBe(true);
    expect(isDemoRoot("user:someone@example.com")).toBe(false);
    expect(isDemoRoot(null)).toBe(false);
  });
});
