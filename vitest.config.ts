import { configDefaults, defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "tests/**/*.test.ts"],
    // The integration suite needs its server (vitest.integration.config.ts starts it).
    exclude: [...configDefaults.exclude, "tests/integration/**"],
    environment: "node",
    testTimeout: 30_000,
  },
});
