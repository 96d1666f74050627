// Biscuit (the container of AIP chained tokens) in Node: the biscuit-auth 6 WebAssembly engine,
// loaded by hand once per process, plus a small reader of the token's protobuf.
//
// Why a reader of our own: the engine only parses a token against a root key, but which key to try
// is named INSIDE block 0 (`identity("…")`), so block 0 must be read before anything is verified.
// And the engine prints block sources without escaping strings (`context("a"b")`), so the printed
// Datalog cannot tell a real second `delegate` fact from a string that contains one. The protobuf
// can: Delegraph judges the exact facts and checks decoded here, and uses the engine for signatures,
// revocation ids, printed sources (what the reference parses) and the reference's policy step.
//
// Node runtime only: the engine is read from node_modules by file path (the package is built for
// bundlers and its `exports` map hides the wasm), so keep it in `serverExternalPackages`.
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// ---------------------------------------------------------------------------------------------
// The engine.

/** The subset of @biscuit-auth/biscuit-wasm 0.6.0 used here (its own .d.ts is for bundlers). */
type TWasmPublicKey = { toBytes(out: Uint8Array): void; toString(): string; free(): void };
type TWasmPrivateKey = { free(): void };
type TWasmKeyPair = { getPublicKey(): TWasmPublicKey; getPrivateKey(): TWasmPrivateKey; free(): void };
type TWasmBlockBuilder = { addCode(source: string): void; free(): void };
type TWasmBiscuit = {
  appendBlock(block: TWasmBlockBuilder): TWasmBiscuit;
  toBase64(): string;
  getRevocationIdentifiers(): string[];
  countBlocks(): number;
  getBlockSource(index: number): string;
  free(): void;
};
type TWasmAuthorizer = { authorizeWithLimits(limits: object): number; free(): void };
type TWasmAuthorizerBuilder = { addCode(source: string): void; buildAuthenticated(token: TWasmBiscuit): TWasmAuthorizer; free(): void };
export type TBiscuitEngine = {
  Biscuit: { fromBase64(data: string, root: TWasmPublicKey): TWasmBiscuit };
  BiscuitBuilder: new () => { addCode(source: string): void; build(root: TWasmPrivateKey): TWasmBiscuit; free(): void };
  BlockBuilder: new () => TWasmBlockBuilder;
  AuthorizerBuilder: new () => TWasmAuthorizerBuilder;
  KeyPair: { new (algorithm: number): TWasmKeyPair; fromPrivateKey(key: TWasmPrivateKey): TWasmKeyPair };
  PrivateKey: { fromBytes(data: Uint8Array, algorithm: number): TWasmPrivateKey };
  PublicKey: { fromBytes(data: Uint8Array, algorithm: number): TWasmPublicKey };
  SignatureAlgorithm: { Ed25519: number };
};

let enginePromise: Promise<TBiscuitEngine> | null = null;

/** The engine, loaded on first use and shared by the process. Rejects only if the package is missing. */
export function loadBiscuit(): Promise<TBiscuitEngine> {
  if (!enginePromise)
    enginePromise = instantiate().catch((e) => {
      enginePromise = null;
      throw e;
    });
  return enginePromise;
}

// The package's `exports` map offers only an `import` condition, so require.resolve cannot name
// it: look for its module directory on the node_modules search path instead.
function packageDir(): string {
  const rel = join("@biscuit-auth", "biscuit-wasm", "module");
  let paths: string[] = [];
  try {
    paths = createRequire(import.meta.url).resolve.paths("@biscuit-auth/biscuit-wasm") ?? [];
  } catch {
    // no usable import.meta.url (bundled): fall back to the working directory below
  }
  for (const base of [...paths, join(process.cwd(), "node_modules")]) {
    const dir = join(base, rel);
    if (existsSync(join(dir, "biscuit_bg.wasm"))) return dir;
  }
  throw new Error("@biscuit-auth/biscuit-wasm is not installed: chained AIP tokens cannot be verified");
}

async function instantiate(): Promise<TBiscuitEngine> {
  const dir = packageDir();
  const glue = (await import(/* webpackIgnore: true */ pathToFileURL(join(dir, "biscuit_bg.js")).href)) as Record<string, unknown>;
  const module = new WebAssembly.Module(readFileSync(join(dir, "biscuit_bg.wasm")));
  const imports: Record<string, WebAssembly.ModuleImports> = { "./biscuit_bg.js": glue as WebAssembly.ModuleImports };
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imports[imp.module] || !imp.module.startsWith("./snippets/")) continue;
    imports[imp.module] = (await import(/* webpackIgnore: true */ pathToFileURL(join(dir, imp.module)).href)) as WebAssembly.ModuleImports;
  }
  const instance = new WebAssembly.Instance(module, imports);
  (glue.__wbg_set_wasm as (w: unknown) => void)(instance.exports);
  // The engine greets the console ("biscuit-wasm loading") when it starts: not for our logs.
  const log = console.log;
  console.log = () => {};
  try {
    (instance.exports.__wbindgen_start as () => void)();
  } finally {
    console.log = log;
  }
  const engine = glue as unknown as TBiscuitEngine;
  warmUp(engine);
  return engine;
}

// A cold engine can exceed the authorizer's time limit on its first run; a throwaway token and
// authorization at load keep that from being mistaken for a verdict later.
function warmUp(b: TBiscuitEngine): void {
  const kp = new b.KeyPair(b.SignatureAlgorithm.Ed25519);
  const builder = new b.BiscuitBuilder();
  builder.addCode('warm("up"); check if tool($t), ["a"].contains($t) or tool($t), $t.starts_with("b");');
  const token = builder.build(kp.getPrivateKey());
  for (let i = 0; i < 3; i++) {
    try {
      const a = new b.AuthorizerBuilder();
      a.addCode('tool("a"); time(2026-01-01T00:00:00Z); allow if tool("a");');
      const authorizer = a.buildAuthenticated(token);
      authorizer.authorizeWithLimits(AUTHORIZER_LIMITS);
      safeFree(authorizer);
    } catch {
      // only warming
    }
  }
}

/** Generous limits: the reference runs the same core; a timeout on a slow machine is not a verdict. */
export const AUTHORIZER_LIMITS = { max_facts: 1000, max_iterations: 100, max_time_micro: 200_000 };

// ---------------------------------------------------------------------------------------------
// Verification through the engine.

export type TBiscuitErrorKind = "format" | "signature";
export type TVerifiedBiscuit = { ok: true; sources: string[]; revocationIds: string[] };
export type TVerifyFailure = { ok: false; kind: TBiscuitErrorKind; message: string };

/** The engine's error value as one line ({"Format":{"Signature":…}} and the like). */
export function describeEngineError(e: unknown): string {
  if (e instanceof Error) return e.message;
  try {
    const s = JSON.stringify(e);
    return s.length > 500 ? `${s.slice(0, 500)}…` : s;
  } catch {
    return String(e);
  }
}

function errorKind(e: unknown): TBiscuitErrorKind {
  const s = describeEngineError(e);
  return /"Signature"|InvalidSignature|signature/i.test(s) && !/Deserialization/i.test(s) ? "signature" : "format";
}

/** Parses and verifies every block signature under a raw 32-byte Ed25519 root key. Never throws. */
export function verifyBiscuit(b: TBiscuitEngine, token: string, rootKey: Uint8Array): TVerifiedBiscuit | TVerifyFailure {
  let key: TWasmPublicKey;
  try {
    key = b.PublicKey.fromBytes(rootKey, b.SignatureAlgorithm.Ed25519);
  } catch (e) {
    return { ok: false, kind: "signature", message: `the root key is not an Ed25519 public key: ${describeEngineError(e)}` };
  }
  let parsed: TWasmBiscuit;
  try {
    parsed = b.Biscuit.fromBase64(token, key);
  } catch (e) {
    return { ok: false, kind: errorKind(e), message: describeEngineError(e) };
  } finally {
    safeFree(key);
  }
  try {
    const n = parsed.countBlocks();
    const sources: string[] = [];
    for (let i = 0; i < n; i++) sources.push(parsed.getBlockSource(i));
    return { ok: true, sources, revocationIds: parsed.getRevocationIdentifiers().map(String) };
  } catch (e) {
    return { ok: false, kind: "format", message: describeEngineError(e) };
  } finally {
    safeFree(parsed);
  }
}

/**
 * The reference's policy step (V6): ambient `tool`, `time`, `depth` and `allow if tool(T)`, with
 * the tool interpolated into Datalog exactly as the reference does. Returns null when every check
 * and the policy pass, else the engine's reason.
 */
export function authorizeTool(b: TBiscuitEngine, token: string, rootKey: Uint8Array, tool: string, nowSeconds: number, depth: number): string | null {
  let key: TWasmPublicKey | null = null;
  let parsed: TWasmBiscuit | null = null;
  let builder: TWasmAuthorizerBuilder | null = null;
  let authorizer: TWasmAuthorizer | null = null;
  try {
    key = b.PublicKey.fromBytes(rootKey, b.SignatureAlgorithm.Ed25519);
    parsed = b.Biscuit.fromBase64(token, key);
    builder = new b.AuthorizerBuilder();
    builder.addCode(`tool("${tool}");\ntime(${rfc3339Seconds(nowSeconds)});\ndepth(${depth});\nallow if tool("${tool}");\n`);
    // buildAuthenticated consumes the builder: it must not be freed afterwards.
    const b2 = builder;
    builder = null;
    authorizer = b2.buildAuthenticated(parsed);
    authorizer.authorizeWithLimits(AUTHORIZER_LIMITS);
    return null;
  } catch (e) {
    return describeEngineError(e);
  } finally {
    for (const o of [authorizer, builder, parsed, key]) safeFree(o);
  }
}

function safeFree(o: { free(): void } | null): void {
  try {
    o?.free();
  } catch {
    // already consumed by the engine
  }
}

/** `%Y-%m-%dT%H:%M:%SZ`, the reference's time format (whole seconds, UTC). */
export function rfc3339Seconds(seconds: number): string {
  const ms = Math.floor(seconds) * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return "1970-01-01T00:00:00Z";
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

// ---------------------------------------------------------------------------------------------
// Minting, for tests and the demo: the reference's exact Datalog shapes (draft-prakash-aip-01
// §3.4.1 as sunilp/aip 0.3.0 writes them), with values interpolated unescaped, as it does.

export type TAuthorityInput = {
  identity: string;
  scopes: string[];
  maxDepth: number;
  /** RFC 3339 expiry, or seconds */
  expires: string | number;
  budgetCents?: number | null;
  principal?: string | null;
};
export type TDelegationInput = {
  delegator: string;
  delegate: string;
  context: string;
  scopes: string[];
  budgetCents?: number | null;
  principal?: string | null;
  /** not written by the reference; hostile variants use it to extend a lifetime */
  expires?: string | number | null;
};

/** The reference's tool check: exact scopes in one `contains` clause, each `p*` a `starts_with`. */
export function toolCheckSource(scopes: string[]): string {
  const exact = scopes.filter((s) => !s.endsWith("*"));
  const wildcards = scopes.filter((s) => s.endsWith("*"));
  const clauses: string[] = [];
  if (exact.length > 0) clauses.push(`tool($t), [${exact.map((s) => `"${s}"`).join(", ")}].contains($t)`);
  for (const w of wildcards) {
    const prefix = w.slice(0, -1);
    clauses.push(prefix ? `tool($t), $t.starts_with("${prefix}")` : "tool($t)");
  }
  return clauses.length === 0 ? "" : `check if ${clauses.join(" or ")};\n`;
}

function expiryText(e: string | number): string {
  return typeof e === "number" ? rfc3339Seconds(e) : e;
}

export function authoritySource(a: TAuthorityInput): string {
  let s = `identity("${a.identity}");\n`;
  if (a.principal != null) s += `principal("${a.principal}");\n`;
  for (const scope of a.scopes) s += `right("${scope}");\n`;
  s += `max_depth(${a.maxDepth});\n`;
  if (a.budgetCents != null) s += `budget_ceiling(${a.budgetCents});\n`;
  if (a.scopes.length > 0) s += toolCheckSource(a.scopes);
  s += `check if time($t), $t <= ${expiryText(a.expires)};\n`;
  return s;
}

export function delegationSource(d: TDelegationInput): string {
  let s = `delegator("${d.delegator}");\ndelegate("${d.delegate}");\ncontext("${d.context}");\n`;
  if (d.principal != null) s += `principal("${d.principal}");\n`;
  if (d.budgetCents != null) s += `budget_ceiling(${d.budgetCents});\n`;
  if (d.scopes.length > 0) s += toolCheckSource(d.scopes);
  if (d.expires != null) s += `check if time($t), $t <= ${expiryText(d.expires)};\n`;
  return s;
}

export type TCompletionInput = {
  status: string;
  resultHash: string;
  context?: string | null;
  verificationStatus?: string | null;
  tokensUsed?: number | null;
  durationMs?: number | null;
};
export function completionSource(c: TCompletionInput): string {
  let s = "";
  if (c.context != null) s += `context("${c.context}");\n`;
  s += `status("${c.status}");\nresult_hash("${c.resultHash}");\n`;
  if (c.verificationStatus != null) s += `verification_status("${c.verificationStatus}");\n`;
  if (c.tokensUsed != null) s += `tokens_used(${c.tokensUsed});\n`;
  if (c.durationMs != null) s += `duration_ms(${c.durationMs});\n`;
  return s;
}

export function counterSignatureSource(c: { verifier: string; context?: string | null }): string {
  return `${c.context != null ? `context("${c.context}");\n` : ""}verified(true);\nverifier("${c.verifier}");\n`;
}

/** Mints block 0 under a raw 32-byte Ed25519 private key (the seed), from Datalog source. */
export function mintAuthority(b: TBiscuitEngine, privateKeySeed: Uint8Array, source: string): string {
  const key = b.PrivateKey.fromBytes(privateKeySeed, b.SignatureAlgorithm.Ed25519);
  const builder = new b.BiscuitBuilder();
  try {
    builder.addCode(source);
    const token = builder.build(key);
    try {
      return token.toBase64();
    } finally {
      safeFree(token);
    }
  } finally {
    safeFree(key);
  }
}

/** Appends one block (Datalog source) under a fresh ephemeral key, as Biscuit attenuation does. */
export function appendBlock(b: TBiscuitEngine, token: string, rootKey: Uint8Array, source: string): string {
  const key = b.PublicKey.fromBytes(rootKey, b.SignatureAlgorithm.Ed25519);
  const parsed = b.Biscuit.fromBase64(token, key);
  const block = new b.BlockBuilder();
  try {
    block.addCode(source);
    const next = parsed.appendBlock(block);
    try {
      return next.toBase64();
    } finally {
      safeFree(next);
    }
  } finally {
    for (const o of [block, parsed, key]) safeFree(o);
  }
}
