// The `pdf` project: tests that render PDFs and read them back with poppler (`*.pdf.test.ts`; the
// naming convention is in vitest.config.ts). They may use a SQLite file too.
import { configDefaults, defineConfig } from "vitest/config";
import { alias } from "./vitest.config";

export default defineConfig({
  resolve: { alias },
  test: {
    name: "pdf",
    include: ["lib/**/*.pdf.test.ts", "scripts/**/*.pdf.test.ts", "tests/**/*.pdf.test.ts"],
    exclude: [...configDefaults.exclude, "tests/integration/**"],
    environment: "node",
    testTimeout: 30_000,
  },
});
