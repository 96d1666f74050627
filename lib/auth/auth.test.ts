import { describe, expect, it } from "vitest";
import { can, ROLES, type TPermission } from "@/lib/auth/roles";
import { hashPassword, safeEqual, sha256Hex, verifyPassword } from "@/lib/auth/secrets";

describe("roles", () => {
  const writes: TPermission[] = ["events:write", "principals:write", "tokens:manage", "users:manage"];
  it("a viewer may read and export but never write", () => {
    expect(can("viewer", "chains:read")).toBe(true);
    expect(can("viewer", "chains:export")).toBe(true);
    for (const w of writes) expect(can("viewer", w)).toBe(false);
    expect(can("viewer", "raw:read")).toBe(false);
  });
  it("an ingest token may only post events", () => {
    expect(can("ingest", "events:write")).toBe(true);
    for (const p of ["chains:read", "chains:export", "raw:read", "quarantine:read", "investigate", "principals:write"] as TPermission[]) {
      expect(can("ingest", p)).toBe(false);
    }
  });
  it("an investigator reads raw tokens and the quarantine but does not write", () => {
    for (const p of ["raw:read", "quarantine:read", "investigate"] as TPermission[]) expect(can("investigator", p)).toBe(true);
    for (const w of writes) expect(can("investigator", w)).toBe(false);
  });
  it("an admin may do everything", () => {
    for (const p of [...writes, "audit:read", "raw:read"] as TPermission[]) expect(can("admin", p)).toBe(true);
    expect(ROLES).toEqual(["admin", "investigator", "viewer", "ingest"]);
  });
});

describe("secrets", () => {
  it("scrypt hashes verify the right password only, with a fresh salt each time", async () => {
    const a = await hashPassword("correct horse");
    const b = await hashPassword("correct horse");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword("correct horse", a)).toBe(true);
    expect(await verifyPassword("wrong horse", a)).toBe(false);
    expect(await verifyPassword("x", "not-a-hash")).toBe(false);
  });
  it("compares in constant time and hashes tokens to hex", () => {
    expect(safeEqual("abc", "abc")).toBe(true);
    expect(safeEqual("abc", "abd")).toBe(false);
    expect(safeEqual("abc", "abcd")).toBe(false);
    expect(sha256Hex("x")).toMatch(/^[0-9a-f]{64}$/);
  });
});
