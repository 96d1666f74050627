// The findings pages name each code in users' words with a plain explanation (lib/ui/findings.ts).
import { describe, expect, it } from "vitest";
import { FINDING_CODES } from "@/lib/protocol/types";
import { findingExplain, findingName, findingSeverity, sortCodes } from "./findings";

describe("finding words", () => {
  it("gives every code a name other than the code, and an explanation", () => {
    for (const code of FINDING_CODES) {
      expect(findingName(code), code).not.toBe(code.replace(/_/g, " "));
      expect(findingExplain(code).length, code).toBeGreaterThan(40);
    }
  });

  it("names behavioural drift as people say it, a warning explained against the agent's own history", () => {
    expect(findingName("behavior_drift")).toBe("Behaviour drift");
    expect(findingSeverity("behavior_drift")).toBe("warning");
    expect(findingExplain("behavior_drift")).toContain("this agent's own history");
    // Warnings sort after critical findings in badge rows.
    expect(sortCodes(["behavior_drift", "ghost_permission"])).toEqual(["ghost_permission", "behavior_drift"]);
  });
});
