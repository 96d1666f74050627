// The architecture's import boundaries (eslint.config.mjs), checked on code written for the purpose:
// each forbidden import in each spelling is reported, and the allowed ones are not.
import { join } from "node:path";
import { ESLint } from "eslint";
import tseslint from "typescript-eslint";
import { describe, expect, it } from "vitest";
import { boundaryBlocks } from "../eslint.config.mjs";

const root = join(import.meta.dirname, "..");
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: true,
  overrideConfig: [{ files: ["**/*.{ts,tsx}"], languageOptions: { parser: tseslint.parser } }, ...boundaryBlocks()],
});

/** The module names ESLint reports among `imports`, for a (possibly new) file at `file`. */
async function refused(file: string, imports: string[]): Promise<string[]> {
  const code = imports.map((m, i) => `import * as m${i} from ${JSON.stringify(m)};`).join("\n");
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  expect(result.messages.filter((m) => m.ruleId !== "no-restricted-imports")).toEqual([]);
  return [...new Set(result.messages.map((m) => imports[m.line - 1]))];
}

describe("import boundaries", () => {
  it("lib/protocol imports only lib/protocol, node built-ins and its own packages", async () => {
    const allowed = ["./scope", "./types.ts", "@/lib/protocol/chain", "zod", "jose", "node:crypto", "fs", "vitest"];
    const forbidden = [
      "@/lib/db",
      "../db",
      "../ingest/steps",
      "@/lib/chains/types",
      "@/components/ui/button",
      "@/app/layout",
      "next/server",
      "react",
      "@prisma/client",
      "@/generated/sqlite/client",
      "lodash",
    ];
    expect(await refused("lib/protocol/new-file.ts", [...allowed, ...forbidden])).toEqual(forbidden);
    expect(await refused("lib/protocol/scope.test.ts", ["@/lib/ingest/ingest", "./test-helpers"])).toEqual(["@/lib/ingest/ingest"]);
  });

  it("components, pages, layouts and lib/ui never reach the database", async () => {
    const forbidden = ["@/lib/db", "@/lib/db/client", "@/generated/sqlite/client", "@prisma/client", "better-sqlite3", "pg"];
    const allowed = ["@/lib/chains/types", "@/lib/db-url", "react"];
    expect(await refused("components/chain/new-file.tsx", [...allowed, ...forbidden, "../../lib/db", "../../generated/postgres/client"])).toEqual([
      ...forbidden,
      "../../lib/db",
      "../../generated/postgres/client",
    ]);
    expect(await refused("app/(dashboard)/chains/[id]/page.tsx", [...allowed, ...forbidden])).toEqual(forbidden);
    expect(await refused("app/layout.tsx", ["../lib/db", "./lib/db", ...allowed])).toEqual(["../lib/db"]);
    expect(await refused("lib/ui/graph/new-file.ts", ["../../db", "../../db/sqlite", "../../db-url", "../layout"])).toEqual([
      "../../db",
      "../../db/sqlite",
    ]);
  });

  it("only lib/db (and tests, scripts, Prisma's configs) import the drivers and the generated clients", async () => {
    const forbidden = [
      "@prisma/client",
      "@prisma/adapter-pg",
      "@prisma/adapter-better-sqlite3",
      "better-sqlite3",
      "pg",
      "@/generated/sqlite/client",
      "../../generated/postgres/client",
    ];
    expect(await refused("app/api/v1/chains/route.ts", ["@/lib/db", "@/lib/chains/queries", ...forbidden.slice(0, 6)])).toEqual(
      forbidden.slice(0, 6),
    );
    expect(await refused("lib/chains/new-file.ts", ["@/lib/db", ...forbidden])).toEqual(forbidden);
    for (const file of [
      "lib/chains/new-file.test.ts",
      "tests/integration/new-file.test.ts",
      "scripts/new-file.ts",
      "prisma/postgres/prisma.config.ts",
    ]) {
      expect(await refused(file, ["pg", "@prisma/adapter-pg", "better-sqlite3"])).toEqual([]);
    }
  });

  it("the SDK never imports server code", async () => {
    const forbidden = [
      "@/lib/db",
      "@/lib/ingest/ingest",
      "../ingest/ingest",
      "@/lib/chains/types",
      "@/lib/auth/roles",
      "@/lib/reports/csv",
      "next/server",
      "@prisma/client",
      "pg",
    ];
    const allowed = ["./keys", "@/lib/protocol/types", "jose", "node:crypto"];
    expect(await refused("lib/sdk/new-file.ts", [...allowed, ...forbidden])).toEqual(forbidden);
    expect(await refused("lib/sdk/new-file.test.ts", ["@/lib/ingest/ingest"])).toEqual([]);
  });
});
