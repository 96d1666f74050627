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

export function renderSchemas(): Record<string, string> {
  const template = readFileSync(join(root, "prisma/schema.template.prisma"), "utf8");
  const out: Record<string, string> = {};
  for (const [provider, { url }] of Object.entries(PROVIDERS)) {
    const dir = DIRS[provider as keyof typeof PROVIDERS];
    const body = template
      .replaceAll("{{provider}}", provider)
      .replaceAll("{{url}}", url)
      .replace("../../generated/" + provider, "../../generated/" + dir);
    out[`prisma/${dir}/schema.prisma`] =
      "// GENERATED from prisma/schema.template.prisma by scripts/gen-schemas.ts. Do not edit.\n" + body;
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const [rel, text] of Object.entries(renderSchemas())) {
    const path = join(root, rel);
    let current = "";
    try { current = readFileSync(path, "utf8"); } catch { /* missing */ }
    if (current === text) continue;
    if (check) { console.error(`${rel} is out of date: run npm run prisma:schemas`); stale++; continue; }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    console.log(`wrote ${rel}`);
  }
  process.exit(stale ? 1 : 0);
}
