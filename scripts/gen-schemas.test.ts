// The generated per-provider Prisma schemas must be exactly what the one model source gives.
import { describe, expect, it } from "vitest";
import { readTemplate, renderSchemas, staleSchemas } from "./gen-schemas";

describe("generated Prisma schemas", () => {
  it("are up to date with prisma/schema.template.prisma (fix: npm run prisma:schemas)", () => {
    expect(staleSchemas()).toEqual([]);
  });

  it("a template change makes both generated schemas stale", () => {
    const changed = renderSchemas(readTemplate() + "\nmodel Drift {\n  id Int @id\n}\n");
    expect(staleSchemas(changed).sort()).toEqual(["prisma/postgres/schema.prisma", "prisma/sqlite/schema.prisma"]);
  });

  it("each schema names its provider and its own client output, with no placeholder left", () => {
    const rendered = renderSchemas();
    expect(rendered["prisma/sqlite/schema.prisma"]).toMatch(/provider = "sqlite"/);
    expect(rendered["prisma/sqlite/schema.prisma"]).toContain('output     = "../../generated/sqlite"');
    expect(rendered["prisma/postgres/schema.prisma"]).toMatch(/provider = "postgresql"/);
    expect(rendered["prisma/postgres/schema.prisma"]).toContain('output     = "../../generated/postgres"');
    for (const text of Object.values(rendered)) {
      expect(text).not.toContain("{{");
      expect(text.startsWith("// GENERATED")).toBe(true);
    }
  });
});
