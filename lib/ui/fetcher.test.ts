import { describe, expect, it } from "vitest";
import { safeNext } from "@/lib/ui/fetcher";

describe("safeNext", () => {
  it("keeps same-origin paths with their query and hash", () => {
    expect(safeNext("/chains?status=violation#x")).toBe("/chains?status=violation#x");
    expect(safeNext("/chains/c1?hop=a1")).toBe("/chains/c1?hop=a1");
  });

  it.each([
    "https://evil.example/",
    "//evil.example/phish",
    "/\\evil.example",
    "/\t/evil.host", // what ?next=/%09/evil.host decodes to: a browser strips the TAB
    "/\n/evil.host",
    "/\r\n/evil.host",
    "/a\r\nSet-Cookie: x=1",
    "/.//evil.example",
    "/..//evil.example",
    "/sign-in?next=/x",
    "chains",
    "",
    null,
  ])("sends %j to /", (next) => {
    expect(safeNext(next)).toBe("/");
  });

  it("keeps an encoded TAB as literal text of a same-origin path", () => {
    expect(safeNext("/%09/evil.host")).toBe("/%09/evil.host");
  });
});
