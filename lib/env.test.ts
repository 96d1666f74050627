// DATABASE_URL picks the database: file: is the embedded SQLite, postgresql:// or postgres:// is
// PostgreSQL, and anything else stops start-up with a message naming the variable.
import { describe, expect, it } from "vitest";
import { resolve } from "node:path";
import { ledgerKeyFile, parseEnv } from "@/lib/env";
import { DEFAULT_DATABASE_URL, databaseKind } from "@/lib/db/url";

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

  it.each(["mysql://root@localhost/delegraph", "sqlite:./data/delegraph.db", "./data/delegraph.db", "postgresql:/missing-slashes"])(
    "refuses %s with a clear configuration error",
    (url) => {
      expect(databaseKind(url)).toBeNull();
      expect(() => parseEnv({ DATABASE_URL: url })).toThrow(
        /Invalid configuration:\n {2}DATABASE_URL: must start with file: \(embedded SQLite\) or postgresql:\/\/ \/ postgres:\/\/ \(PostgreSQL\)/,
      );
    },
  );

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

describe("the ledger key file and checkpoint settings", () => {
  it("puts the key beside the SQLite file, in ./data with PostgreSQL, or where DELEGRAPH_LEDGER_KEY_FILE says", () => {
    expect(ledgerKeyFile(parseEnv({ DATABASE_URL: "file:/var/lib/delegraph/db.sqlite" }))).toBe("/var/lib/delegraph/ledger-key.json");
    expect(ledgerKeyFile(parseEnv({}))).toBe(resolve(process.cwd(), "data", "ledger-key.json"));
    expect(ledgerKeyFile(parseEnv({ DATABASE_URL: "postgresql://db/delegraph" }))).toBe(resolve(process.cwd(), "data", "ledger-key.json"));
    expect(ledgerKeyFile(parseEnv({ DATABASE_URL: "postgresql://db/delegraph", DELEGRAPH_LEDGER_KEY_FILE: "/run/secrets/ledger-key.json" }))).toBe(
      "/run/secrets/ledger-key.json",
    );
    expect(ledgerKeyFile(parseEnv({ DELEGRAPH_LEDGER_KEY_FILE: "keys/k.json" }))).toBe(resolve(process.cwd(), "keys/k.json"));
  });

  it("defaults to a checkpoint every 1000 events or 300 s, and refuses nonsense", () => {
    const config = parseEnv({});
    expect([config.DELEGRAPH_CHECKPOINT_EVENTS, config.DELEGRAPH_CHECKPOINT_SECONDS]).toEqual([1000, 300]);
    expect(parseEnv({ DELEGRAPH_CHECKPOINT_EVENTS: "5" }).DELEGRAPH_CHECKPOINT_EVENTS).toBe(5);
    expect(() => parseEnv({ DELEGRAPH_CHECKPOINT_EVENTS: "0" })).toThrow(/DELEGRAPH_CHECKPOINT_EVENTS: must be at least 1/);
    expect(() => parseEnv({ DELEGRAPH_CHECKPOINT_SECONDS: "soon" })).toThrow(/DELEGRAPH_CHECKPOINT_SECONDS: must be a number of seconds/);
    expect(() => parseEnv({ DELEGRAPH_LEDGER_KEY_FILE: "/etc/delegraph/" })).toThrow(/DELEGRAPH_LEDGER_KEY_FILE: must name a file/);
  });

  it("checkpoints the SQLite WAL on a worker thread unless told otherwise, and names the two modes it accepts", () => {
    expect(parseEnv({}).DELEGRAPH_SQLITE_CHECKPOINT).toBe("worker");
    expect(parseEnv({ DELEGRAPH_SQLITE_CHECKPOINT: "commit" }).DELEGRAPH_SQLITE_CHECKPOINT).toBe("commit");
    expect(() => parseEnv({ DELEGRAPH_SQLITE_CHECKPOINT: "thread" })).toThrow(/DELEGRAPH_SQLITE_CHECKPOINT: must be "commit" or "worker"/);
  });
});

describe("single sign-on settings", () => {
  const sso = {
    DELEGRAPH_OIDC_ISSUER: "https://idp.example/realms/corp",
    DELEGRAPH_OIDC_CLIENT_ID: "delegraph",
    DELEGRAPH_OIDC_CLIENT_SECRET: "s3cret",
  };

  it("is off by default, with password sign-in on", () => {
    const config = parseEnv({});
    expect(config.DELEGRAPH_OIDC_ISSUER).toBeUndefined();
    expect(config.DELEGRAPH_PASSWORD_SIGN_IN).toBe(true);
  });

  it("needs the issuer, client id and secret together", () => {
    expect(parseEnv(sso).DELEGRAPH_OIDC_CLIENT_ID).toBe("delegraph");
    expect(() => parseEnv({ DELEGRAPH_OIDC_ISSUER: sso.DELEGRAPH_OIDC_ISSUER })).toThrow(/set all three, or none/);
  });

  it("turns password sign-in off only with single sign-on configured", () => {
    expect(parseEnv({ ...sso, DELEGRAPH_PASSWORD_SIGN_IN: "0" }).DELEGRAPH_PASSWORD_SIGN_IN).toBe(false);
    expect(() => parseEnv({ DELEGRAPH_PASSWORD_SIGN_IN: "0" })).toThrow(/only with single sign-on configured/);
  });

  it("reads the role mapping as value=role pairs and refuses an unknown role", () => {
    expect(parseEnv({ DELEGRAPH_OIDC_ROLES: "grp:admins=admin, auditors = investigator" }).DELEGRAPH_OIDC_ROLES).toEqual([
      ["grp:admins", "admin"],
      ["auditors", "investigator"],
    ]);
    expect(() => parseEnv({ DELEGRAPH_OIDC_ROLES: "ops=ingest" })).toThrow(/DELEGRAPH_OIDC_ROLES: "ops=ingest" is not value=role/);
    expect(() => parseEnv({ DELEGRAPH_OIDC_ISSUER: "not a url", DELEGRAPH_OIDC_CLIENT_ID: "a", DELEGRAPH_OIDC_CLIENT_SECRET: "b" })).toThrow(
      /DELEGRAPH_OIDC_ISSUER/,
    );
  });
});
