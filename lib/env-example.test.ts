// .env.example lists every setting of the configuration schema, and no other, each with its
// default as the schema has it (an empty value where the schema has none).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseEnv, ZEnv } from "@/lib/env";

const lines = readFileSync(join(process.cwd(), ".env.example"), "utf8")
  .split("\n")
  .map((l) => /^#?([A-Z][A-Z0-9_]*)=(.*)$/.exec(l))
  .filter((m): m is RegExpExecArray => m !== null);
const listed = new Map(lines.map((m) => [m[1], m[2]]));

describe(".env.example", () => {
  it("lists every setting of lib/env.ts once, and nothing else", () => {
    expect(lines.map((m) => m[1]).sort()).toEqual(Object.keys(ZEnv.shape).sort());
  });

  it("says each default as the schema has it", () => {
    const read = (source: Record<string, string>) => parseEnv(source) as Record<string, unknown>;
    const defaults = read({});
    for (const [name, value] of listed) {
      if (value === "") {
        // Listed empty: no value unless set (an empty value means the default, as here).
        expect(read({ [name]: "" })[name], name).toEqual(defaults[name]);
        continue;
      }
      expect(read({ [name]: value })[name], name).toEqual(defaults[name]);
    }
  });

  it("has a line of explanation above every setting", () => {
    const text = readFileSync(join(process.cwd(), ".env.example"), "utf8").split("\n");
    for (const [i, line] of text.entries()) {
      if (!/^#?[A-Z][A-Z0-9_]*=/.test(line)) continue;
      const above = text
        .slice(0, i)
        .reverse()
        .find((l) => !/^#?[A-Z][A-Z0-9_]*=/.test(l));
      expect(above, line).toMatch(/^# \S/);
    }
  });
});
