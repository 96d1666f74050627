// DATABASE_URL picks the database: file: is the embedded SQLite, postgresql:// or postgres:// is
// PostgreSQL, and anything else stops start-up with a message naming the variable.
import { describe, expect, it } from "vitest";
import { parseEnv } from "@/lib/env";
import { DEFAULT_DATABASE_URL, databaseKind } from "@/lib/db-url";

describe("DATABASE_URL", () => {
  it("defaults to the embedded SQLite file when unset or empty", () => {
    expect(parseEnv({}).DATABASE_URL).toBe(DEFAULT_DATABASE_URL);
    expect(parseEnv({ DATABASE_URL: "" }).DATABASE_URL).toBe(DEFAULT_DATABASE_URL);
    expect(databaseKind(DEFAULT_DATABASE_URL)).toBe("sqlite");
  });

  it.each([
    ["file:./data/other.db", "sqlite"],
    ["file:/var/lib/delegraph/db.sqlite", "sqlite"],
    ["postgresql://delegraph:secret@db.internal:5432/delegraph?sslmode=require", "postgres"],
    ["postgres://postgres@127.0.0.1/delegraph", "postgres"],
  ])("accepts %s as %s", (url, kind) => {
    expect(parseEnv({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    expect(databaseKind(url)).toBe(kind);
  });

  it.each([
    "mysql://root@localhost/delegraph",
    "sqlite:./data/delegraph.db",
    "./data/delegraph.db",
    "postgresql:/missing-slashes",
  ])("refuses %s with a clear configuration error", (url) => {
    expect(databaseKind(url)).toBeNull();
    expect(() => parseEnv({ DATABASE_URL: url })).toThrow(
      /Invalid configuration:\n {2}DATABASE_URL: must start with file: \(embedded SQLite\) or postgresql:\/\/ \/ postgres:\/\/ \(PostgreSQL\)/,
    );
  });

  it("reports DATABASE_URL alongside other bad variables", () => {
    expect(() => parseEnv({ DATABASE_URL: "mysql://x", PORT: "99999" })).toThrow(/DATABASE_URL: .*\n {2}PORT: must be 1-65535/s);
  });
});

describe("DELEGRAPH_SERVER_HEAP_MB", () => {
  it("defaults to 256 and takes a whole number of megabytes from 128", () => {
    expect(parseEnv({}).DELEGRAPH_SERVER_HEAP_MB).toBe(256);
    expect(parseEnv({ DELEGRAPH_SERVER_HEAP_MB: "1024" }).DELEGRAPH_SERVER_HEAP_MB).toBe(1024);
    expect(() => parseEnv({ DELEGRAPH_SERVER_HEAP_MB: "64" })).toThrow(/DELEGRAPH_SERVER_HEAP_MB: must be at least 128/);
    expect(() => parseEnv({ DELEGRAPH_SERVER_HEAP_MB: "lots" })).toThrow(/DELEGRAPH_SERVER_HEAP_MB: must be a number of megabytes/);
  });
});
