import { describe, expect, it } from "vitest";
import { claimValues, roleFromClaims } from "./oidc-roles";

const MAP = [
  ["delegraph-admins", "admin"],
  ["auditors", "investigator"],
  ["staff", "viewer"],
] as const;

describe("the role of a single sign-on", () => {
  it("maps a string claim", () => {
    expect(roleFromClaims({ role: "auditors" }, "role", MAP)).toBe("investigator");
  });

  it("takes the most powerful role an array of values maps to", () => {
    expect(roleFromClaims({ groups: ["staff", "delegraph-admins", "auditors"] }, "groups", MAP)).toBe("admin");
    expect(roleFromClaims({ groups: ["staff", "auditors"] }, "groups", MAP)).toBe("investigator");
  });

  it("refuses when no value maps, the claim is missing or is not text", () => {
    expect(roleFromClaims({ groups: ["contractors"] }, "groups", MAP)).toBeNull();
    expect(roleFromClaims({}, "groups", MAP)).toBeNull();
    expect(roleFromClaims({ groups: 3 }, "groups", MAP)).toBeNull();
    expect(roleFromClaims({ groups: [{ name: "staff" }] }, "groups", MAP)).toBeNull();
  });

  it("reaches into objects by a dotted path, and reads a claim named with dots whole", () => {
    expect(claimValues({ realm_access: { roles: ["staff", 7] } }, "realm_access.roles")).toEqual(["staff"]);
    expect(claimValues({ "https://delegraph.example/roles": "staff" }, "https://delegraph.example/roles")).toEqual(["staff"]);
    expect(claimValues({ realm_access: ["x"] }, "realm_access.roles")).toEqual([]);
  });

  it("is case-sensitive, as claim values are", () => {
    expect(roleFromClaims({ role: "Staff" }, "role", MAP)).toBeNull();
  });
});
