// Vitest projects, told apart by file name (a newcomer picks the suffix, nothing else):
//   *.test.ts       pure: no database file, no PostgreSQL, no migrations, no PDF rendering. This
//                   config. `npx vitest` / `npm run test:unit` run it alone, in seconds (keep it
//                   under 30 s: developers run it in a loop).
//   *.db.test.ts    opens a SQLite file or a PostgreSQL database (useFreshDatabase, sqliteConnection,
//                   db(), postgresTestUrl) or runs Prisma migrations: vitest.db.config.ts.
//   *.pdf.test.ts   renders PDFs (renderToBuffer, pdftotext): vitest.pdf.config.ts.
//   tests/integration/**/*.test.ts   a real server over HTTP: vitest.integration.config.ts.
// `npm test` runs them all (scripts/test.ts).
import { configDefaults, defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

export const alias = { "@": fileURLToPath(new URL(".", import.meta.url)) };
export const slowSuffixes = ["**/*.db.test.ts", "**/*.pdf.test.ts"];

export default defineConfig({
  resolve: { alias },
  test: {
    name: "unit",
    include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "tests/**/*.test.ts", "packages/*/src/**/*.test.ts"],
    exclude: [...configDefaults.exclude, "tests/integration/**", ...slowSuffixes],
    environment: "node",
    testTimeout: 30_000,
  },
});
