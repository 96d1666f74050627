// The server's own Ed25519 signing key: it signs every evidence bundle and every ledger checkpoint.
//
// The private half lives in a file outside the database (DELEGRAPH_LEDGER_KEY_FILE, lib/env.ts
// ledgerKeyFile): in the threat model someone with write access to the database is an attacker, and
// a key kept beside the data it vouches for would vouch for anything. The public half is also
// recorded in the LedgerKey table, so checkpoints signed before a key change still verify.
//
// Which earlier keys count is not the table's to say (an attacker could insert a key there and
// re-sign checkpoints with it): a key file lists, in `previous`, the keys that were in the table when
// it was made, and only those, with the current key, are trusted (docs/operations.md, key rotation).
import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from "node:crypto";
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { stores } from "@/lib/db";
import { env, ledgerKeyFile } from "@/lib/env";
import { publicJwkFromSpki } from "@/lib/protocol/keys";
import { ed25519PublicJwk, ed25519Thumbprint, signMessage, verifyMessage, type TEd25519Jwk } from "./signing";

export const LEDGER_KEY_FORMAT = "delegraph-ledger-key/1";

const ZKeyFile = z.object({
  format: z.literal(LEDGER_KEY_FORMAT),
  kid: z.string(),
  createdAt: z.iso.datetime(),
  jwk: z.object({ kty: z.literal("OKP"), crv: z.literal("Ed25519"), x: z.string(), d: z.string() }),
  previous: z.array(z.string()),
});

export type TServerKey = {
  /** The key's RFC 7638 thumbprint, also its kid. */
  kid: string;
  jwk: TEd25519Jwk;
  createdAt: string;
  /** Thumbprints of the earlier server keys this key vouches for. */
  previous: string[];
  path: string;
  sign: (message: string) => string;
};

export class LedgerKeyFileError extends Error {}

function parseKeyFile(text: string, path: string): TServerKey {
  let parsed: z.infer<typeof ZKeyFile>;
  try {
    parsed = ZKeyFile.parse(JSON.parse(text));
  } catch (e) {
    throw new LedgerKeyFileError(
      `${path} is not a Delegraph ledger key (${(e as Error).message.split("\n")[0]}): restore it from its backup, or move it away to make a new key (docs/operations.md)`,
    );
  }
  const jwk = ed25519PublicJwk({ kty: parsed.jwk.kty, crv: parsed.jwk.crv, x: parsed.jwk.x });
  let privateKey: KeyObject | null = null;
  try {
    privateKey = createPrivateKey({ key: parsed.jwk, format: "jwk" });
  } catch {
    // judged just below, with the other ways a key pair can be unusable
  }
  // A file whose halves do not belong together would sign what nobody can verify.
  const probe = "delegraph ledger key self-test";
  if (!jwk || !privateKey || !verifyMessage(jwk, probe, signMessage(privateKey, probe))) {
    throw new LedgerKeyFileError(`${path} holds no usable Ed25519 key pair: restore it from its backup, or move it away to make a new key`);
  }
  const kid = ed25519Thumbprint(jwk);
  if (kid !== parsed.kid) throw new LedgerKeyFileError(`${path} says its kid is ${parsed.kid}, but the key's thumbprint is ${kid}`);
  const key = privateKey;
  return { kid, jwk, createdAt: parsed.createdAt, previous: parsed.previous, path, sign: (message) => signMessage(key, message) };
}

function readKeyFile(path: string): TServerKey | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new LedgerKeyFileError(`cannot read the ledger key file ${path}: ${(e as Error).message}`);
  }
  return parseKeyFile(text, path);
}

/**
 * Reads the key file, or makes a new key when there is none. Several instances starting together
 * end with one key: each writes its candidate to a private temporary file (O_EXCL, mode 0600) and
 * hard-links it to the final name, which fails with EEXIST for all but the first; the others read
 * the winner's file. Linking a complete file, rather than writing the final name in place, means
 * no instance can ever read a half-written key. `previous` is asked only when a key is made.
 */
export async function loadOrCreateKeyFile(path: string, previous: () => Promise<string[]>): Promise<{ key: TServerKey; created: boolean }> {
  const existing = readKeyFile(path);
  if (existing) return { key: existing, created: false };
  const vouched = await previous();
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  // From DER, not export({ format: "jwk" }): that can deadlock on Node 20 with the garbage collection
  // of the key generation's job (lib/protocol/keys.ts, publicJwkFromSpki). A PKCS #8 Ed25519 key
  // ends with its 32-byte seed, the JWK's d.
  const publicJwk = publicJwkFromSpki(publicKey.export({ type: "spki", format: "der" }));
  if (publicJwk?.kty !== "OKP") throw new Error("the generated ledger key is not Ed25519");
  const jwk = { ...publicJwk, d: privateKey.export({ type: "pkcs8", format: "der" }).subarray(-32).toString("base64url") };
  const kid = ed25519Thumbprint({ kty: "OKP", crv: "Ed25519", x: jwk.x });
  const body = {
    format: LEDGER_KEY_FORMAT,
    kid,
    createdAt: new Date().toISOString(),
    jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d },
    previous: vouched.filter((k) => k !== kid),
  };
  const text = JSON.stringify(body, null, 2) + "\n";
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = openSync(tmp, "wx", 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    const winner = readKeyFile(path);
    if (!winner) throw e;
    return { key: winner, created: false };
  } finally {
    unlinkSync(tmp);
  }
  syncDirectory(dirname(path));
  return { key: parseKeyFile(text, path), created: true };
}

/** The new name survives a power cut only once its directory is on disk. Best effort: not every platform can open a directory. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, "r");
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // the key file itself is written and fsynced; only its name could be lost
  }
}

/** Whether anyone but the owner may read the key file (POSIX modes only). */
export function isKeyFileExposed(path: string): boolean {
  try {
    return process.platform !== "win32" && (statSync(path).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

const globalForKey = globalThis as unknown as { delegraphLedgerKey?: Promise<{ key: TServerKey; created: boolean }> };

/**
 * This server's key, read (or made) once per process, with its public half recorded in LedgerKey.
 * `created` says whether this call made the key file (npm start prints it).
 */
export function loadServerKey(): Promise<{ key: TServerKey; created: boolean }> {
  globalForKey.delegraphLedgerKey ??= (async () => {
    const store = (await stores()).ledger;
    const loaded = await loadOrCreateKeyFile(ledgerKeyFile(env()), async () => (await store.keys()).map((k) => k.kid));
    const { kid, jwk } = loaded.key;
    if (!(await store.hasKey(kid))) await store.addKey(kid, JSON.stringify(jwk));
    return loaded;
  })().catch((e) => {
    // A failure (database down at start) must not stick for the life of the process.
    globalForKey.delegraphLedgerKey = undefined;
    throw e;
  });
  return globalForKey.delegraphLedgerKey;
}

export async function serverKey(): Promise<TServerKey> {
  return (await loadServerKey()).key;
}

export type TServerPublicKey = { kid: string; thumbprint: string; jwk: TEd25519Jwk; firstSeenAt: string; trusted: boolean };

/**
 * Every server key the database records, each with whether this server trusts it: the current key,
 * and the earlier keys its key file vouches for, whose stored JWK really has that thumbprint.
 */
/** A stored public JWK, or null when it does not parse as an Ed25519 key. */
export function parsePublicJwk(text: string): TEd25519Jwk | null {
  try {
    return ed25519PublicJwk(JSON.parse(text));
  } catch {
    return null;
  }
}

export async function listServerKeys(): Promise<{ current: TServerKey; firstSeenAt: string | null; keys: TServerPublicKey[] }> {
  const current = await serverKey();
  const rows = await (await stores()).ledger.keys();
  const vouched = new Set([current.kid, ...current.previous]);
  const keys: TServerPublicKey[] = [];
  let firstSeenAt: string | null = null;
  for (const row of rows) {
    const jwk = parsePublicJwk(row.jwk);
    if (row.kid === current.kid) firstSeenAt = row.firstSeenAt.toISOString();
    if (!jwk) continue;
    const thumbprint = ed25519Thumbprint(jwk);
    keys.push({ kid: row.kid, thumbprint, jwk, firstSeenAt: row.firstSeenAt.toISOString(), trusted: vouched.has(row.kid) && thumbprint === row.kid });
  }
  return { current, firstSeenAt, keys };
}

/** kid → public JWK of every key a checkpoint may be signed with (see listServerKeys). */
export async function trustedServerKeys(): Promise<{ trusted: Map<string, TEd25519Jwk>; known: Set<string> }> {
  const { current, keys } = await listServerKeys();
  const trusted = new Map<string, TEd25519Jwk>([[current.kid, current.jwk]]);
  for (const k of keys) if (k.trusted) trusted.set(k.kid, k.jwk);
  return { trusted, known: new Set(keys.map((k) => k.kid)) };
}
