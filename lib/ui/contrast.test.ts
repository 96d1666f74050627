import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { contrastRatio, parsePalette } from "./contrast";

const palette = parsePalette(readFileSync(join(process.cwd(), "node_modules/tailwindcss/theme.css"), "utf8"));
const color = (name: string) => {
  const v = palette.get(name);
  if (!v) throw new Error(`no colour ${name} in Tailwind's theme`);
  return v;
};
const AA = 4.5;

describe("contrast of the palette", () => {
  it("computes known WCAG figures", () => {
    expect(contrastRatio("#000", "#fff")).toBeCloseTo(21, 5);
    expect(contrastRatio("#777", "#fff")).toBeCloseTo(4.48, 1);
  });

  // Secondary text (captions, ids, times, hints) and the backgrounds it sits on in the dashboard.
  const SECONDARY = ["slate-500", "slate-600", "slate-700"];
  const SURFACES = ["white", "slate-50"];
  for (const fg of SECONDARY)
    for (const bg of SURFACES)
      it(`${fg} on ${bg} meets AA`, () => {
        expect(contrastRatio(color(fg), color(bg))).toBeGreaterThanOrEqual(AA);
      });

  it("slate-400 would not: it is kept out of text", () => {
    expect(contrastRatio(color("slate-400"), color("white"))).toBeLessThan(AA);
  });

  it("coloured words (links, severities) meet AA on white and on their tinted badges", () => {
    for (const [fg, bg] of [
      ["blue-700", "white"],
      ["red-700", "white"],
      ["red-800", "red-50"],
      ["orange-800", "orange-50"],
      ["amber-800", "amber-50"],
      ["amber-900", "amber-50"],
      ["green-800", "white"],
      ["violet-800", "violet-50"],
      ["slate-700", "slate-100"],
      ["slate-600", "slate-100"],
    ])
      expect(contrastRatio(color(fg), color(bg)), `${fg} on ${bg}`).toBeGreaterThanOrEqual(AA);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : /\.(tsx|css)$/.test(f) ? [p] : [];
  });
}

describe("the dashboard's text colours", () => {
  const files = [...sourceFiles(join(process.cwd(), "components")), ...sourceFiles(join(process.cwd(), "app"))];
  it("never sets text in slate-400 or lighter (below AA on white)", () => {
    const offenders = files.flatMap((f) =>
      [...readFileSync(f, "utf8").matchAll(/(?<![\w-])(?:placeholder:)?text-(?:slate|gray|zinc)-(?:[1-4]00|50)\b/g)].map((m) => `${f}: ${m[0]}`),
    );
    expect(offenders).toEqual([]);
  });
  it("never puts slate-500 text on a slate-100 or darker background in one class list", () => {
    const offenders = files.flatMap((f) =>
      [...readFileSync(f, "utf8").matchAll(/className="([^"]*)"/g)]
        .map((m) => m[1])
        .filter((c) => /\btext-slate-500\b/.test(c) && /(?<![\w:-])bg-slate-(?:[1-9]00)\b/.test(c))
        .map((c) => `${f}: ${c}`),
    );
    expect(offenders).toEqual([]);
  });
});
