// WCAG 2.x contrast of Tailwind's palette (oklch in Tailwind 4), to prove the secondary text colours
// the dashboard uses meet AA (4.5:1 for normal text) on the backgrounds they sit on.

/** oklch(L% C H) → linear-light sRGB channels, clamped to the gamut. */
export function oklchToLinearSrgb(l: number, c: number, h: number): [number, number, number] {
  const a = c * Math.cos((h * Math.PI) / 180);
  const b = c * Math.sin((h * Math.PI) / 180);
  const l_ = (l + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m_ = (l - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s_ = (l - 0.0894841775 * a - 1.291485548 * b) ** 3;
  const clamp = (v: number) => Math.min(1, Math.max(0, v));
  return [
    clamp(4.0767416621 * l_ - 3.3077115913 * m_ + 0.2309699292 * s_),
    clamp(-1.2684380046 * l_ + 2.6097574011 * m_ - 0.3413193965 * s_),
    clamp(-0.0041960863 * l_ - 0.7034186147 * m_ + 1.707614701 * s_),
  ];
}

function hexToLinear(hex: string): [number, number, number] {
  const h = hex.replace("#", "");
  const full = h.length === 3 ? [...h].map((x) => x + x).join("") : h;
  const ch = (i: number) => {
    const v = parseInt(full.slice(i, i + 2), 16) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return [ch(0), ch(2), ch(4)];
}

/** Relative luminance (WCAG) of a CSS colour as Tailwind writes it: oklch(…) or #hex. */
export function luminance(css: string): number {
  const m = /oklch\(\s*([\d.]+)%\s+([\d.]+)\s+([\d.]+)\s*\)/.exec(css);
  const [r, g, b] = m ? oklchToLinearSrgb(Number(m[1]) / 100, Number(m[2]), Number(m[3])) : hexToLinear(css);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(fg: string, bg: string): number {
  const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}

/** `--color-slate-500: oklch(…)` lines of Tailwind's theme.css as a map. */
export function parsePalette(themeCss: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of themeCss.matchAll(/--color-([a-z]+(?:-\d+)?):\s*([^;]+);/g)) out.set(m[1], m[2].trim());
  return out;
}
