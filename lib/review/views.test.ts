import { describe, expect, it } from "vitest";
import { normaliseViewQuery } from "./views";

describe("normaliseViewQuery", () => {
  it("keeps the filters in order and drops paging and empty values", () => {
    expect(normaliseViewQuery("?status=violation&cursor=abc&prev=x&q=&review=unreviewed&limit=10")).toBe("status=violation&review=unreviewed");
    expect(normaliseViewQuery("scope=finance%2F*%3Aread&q=a+b")).toBe("scope=finance%2F*%3Aread&q=a+b");
    expect(normaliseViewQuery("")).toBe("");
  });
});
