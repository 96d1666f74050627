import { describe, expect, it } from "vitest";
import { postgresPoolConfig } from "@/lib/db/postgres-pool";

describe("postgresPoolConfig", () => {
  it("defaults to 10 connections and leaves the URL alone", () => {
    expect(postgresPoolConfig("postgresql://u:p@db:5432/delegraph?sslmode=require")).toEqual({
      connectionString: "postgresql://u:p@db:5432/delegraph?sslmode=require",
      max: 10,
      application_name: "delegraph",
      options: "-c jit=off",
    });
  });

  it("takes the pool size from connection_limit and does not pass it on to pg", () => {
    const config = postgresPoolConfig("postgres://u@db/delegraph?connection_limit=25&sslmode=disable");
    expect(config.max).toBe(25);
    expect(config.connectionString).toBe("postgres://u@db/delegraph?sslmode=disable");
  });

  it("ignores a connection_limit that is not a positive whole number", () => {
    for (const bad of ["0", "-3", "2.5", "ten"]) expect(postgresPoolConfig(`postgresql://db/x?connection_limit=${bad}`).max).toBe(10);
  });
});
