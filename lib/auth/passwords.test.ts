import { describe, expect, it } from "vitest";
import { passwordProblem, ZPassword } from "@/lib/auth/passwords";

describe("password rules", () => {
  it("needs at least 12 characters", () => {
    expect(passwordProblem("short-pass1")).toMatch(/at least 12/);
    expect(passwordProblem("tangerine-violin-orbit")).toBeNull();
  });

  it("refuses common passwords, also with digits or symbols around them", () => {
    for (const p of ["qwerty123456", "1q2w3e4r5t6y", "password1234", "Password2024!", "iloveyou12345", "123456789012"])
      expect(passwordProblem(p), p).toMatch(/too common/);
  });

  it("refuses one character repeated", () => {
    expect(passwordProblem("aaaaaaaaaaaaaa")).toMatch(/repeated/);
  });

  it("is a zod schema with the reason as its message", () => {
    const r = ZPassword.safeParse("password1234");
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].message).toMatch(/too common/);
    expect(ZPassword.safeParse("correct horse battery staple").success).toBe(true);
  });
});
