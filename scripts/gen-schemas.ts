// Writes the per-provider Prisma schemas from prisma/schema.template.prisma.
// `--check` exits 1 when a written schema is out of date (used by the test suite).
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const PROVIDERS = {
  sqlite: { url: "file:../../data/delegraph.db" },
  postgresql: { url: "postgresql://postgres@127.0.0.1:5432/delegraph" },
} as const;
const DIRS: Record<keyof typeof PROVIDERS, string> = { sqlite: "sqlite", postgresql: "postgres" };

export function readTemplate(): string {
  return readFileSync(join(root, "prisma/schema.template.prisma"), "utf8");
}

export function renderSchemas(template = readTemplate()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [provider, { url }] of Object.entries(PROVIDERS)) {
    const dir = DIRS[provider as keyof typeof PROVIDERS];
    const body = template
      // A line ending in {{only:<provider>}} is that provider's alone (an index only it can build).
      .replace(/^(.*?) *\{\{only:(\w+)\}\}\n/gm, (_, line: string, only: string) => (only === provider ? line + "\n" : ""))
      .replaceAll("{{provider}}", provider)
      .replaceAll("{{url}}", url)
      .replace("../../generated/" + provider, "../../generated/" + dir);
    out[`prisma/${dir}/schema.prisma`] = "// GENERATED from prisma/schema.template.prisma by scripts/gen-schemas.ts. Do not edit.\n" + body;
  }
  return out;
}

/** Repository-relative paths of generated schemas whose file differs from what the template gives. */
export function staleSchemas(rendered = renderSchemas()): string[] {
  return Object.entries(rendered)
    .filter(([rel, text]) => {
      try {
        return readFileSync(join(root, rel), "utf8") !== text;
      } catch {
        return true; // missing
      }
    })
    .map(([rel]) => rel);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes("--check");
  const rendered = renderSchemas();
  const stale = staleSchemas(rendered);
  for (const rel of stale) {
    if (check) {
      console.error(`${rel} is out of date: run npm run prisma:schemas`);
      continue;
    }
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), rendered[rel]);
    console.log(`wrote ${rel}`);
  }
  process.exit(check && stale.length ? 1 : 0);
}
