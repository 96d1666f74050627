// A reader of the Biscuit v3 protobuf (biscuit-auth 6, schema.proto), enough to see every fact and
// check of every block exactly as signed, without trusting the engine's printed Datalog (which
// does not escape strings). Signatures are NOT checked here: callers verify with the engine first
// and use this for block content, or read block 0 to learn which root key to try.
//
// Pure and total: garbage yields { ok: false }, never an exception; nesting and sizes are bounded.

export type TTerm =
  | { t: "var"; name: string }
  | { t: "int"; v: number }
  | { t: "str"; v: string }
  | { t: "date"; v: number }
  | { t: "bytes"; hex: string }
  | { t: "bool"; v: boolean }
  | { t: "set"; items: TTerm[] }
  | { t: "array"; items: TTerm[] }
  | { t: "null" }
  | { t: "other" };

export type TPredicate = { name: string; terms: TTerm[] };
export type TOp = { op: "value"; term: TTerm } | { op: "unary"; kind: number } | { op: "binary"; kind: number } | { op: "closure" };
export type TQuery = { head: TPredicate | null; body: TPredicate[]; expressions: TOp[][]; scoped: boolean };
/** kind: 0 = `check if`, 1 = `check all`, 2 = `reject if` */
export type TCheck = { kind: number; queries: TQuery[] };
export type TBlock = { facts: TPredicate[]; rules: TQuery[]; checks: TCheck[]; thirdParty: boolean };
export type TDecodedBiscuit = { ok: true; blocks: TBlock[] } | { ok: false; message: string };

/** Binary operator kinds of schema.proto's OpBinary that the AIP shapes use. */
export const OP = { lessThan: 0, greaterThan: 1, lessOrEqual: 2, greaterOrEqual: 3, equal: 4, contains: 5, prefix: 6 } as const;

// biscuit-auth's default symbol table; a token's own symbols start at 1024.
const DEFAULT_SYMBOLS = [
  "read",
  "write",
  "resource",
  "operation",
  "right",
  "time",
  "role",
  "owner",
  "tenant",
  "namespace",
  "user",
  "team",
  "service",
  "admin",
  "email",
  "group",
  "member",
  "ip_address",
  "client",
  "client_ip",
  "domain",
  "path",
  "version",
  "cluster",
  "node",
  "hostname",
  "nonce",
  "query",
];
const SYMBOL_OFFSET = 1024;
const MAX_DEPTH = 32;
const MAX_ITEMS = 100_000;

class ProtoError extends Error {}

type TField = { no: number; wire: number; varint?: bigint; bytes?: Uint8Array };

function* fields(buf: Uint8Array): Generator<TField> {
  let pos = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (pos >= buf.length) throw new ProtoError("truncated varint");
      const byte = buf[pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result & 0xffffffffffffffffn;
      shift += 7n;
    }
    throw new ProtoError("varint too long");
  };
  while (pos < buf.length) {
    const key = varint();
    const no = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (no === 0) throw new ProtoError("field number 0");
    if (wire === 0) yield { no, wire, varint: varint() };
    else if (wire === 2) {
      const len = Number(varint());
      if (len > buf.length - pos) throw new ProtoError("length past the end");
      yield { no, wire, bytes: buf.subarray(pos, pos + len) };
      pos += len;
    } else if (wire === 1) {
      if (pos + 8 > buf.length) throw new ProtoError("truncated fixed64");
      pos += 8;
    } else if (wire === 5) {
      if (pos + 4 > buf.length) throw new ProtoError("truncated fixed32");
      pos += 4;
    } else throw new ProtoError(`unsupported wire type ${wire}`);
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });
function utf8(b: Uint8Array): string {
  try {
    return UTF8.decode(b);
  } catch {
    throw new ProtoError("a symbol is not UTF-8");
  }
}

function toSigned(v: bigint): number {
  return Number(BigInt.asIntN(64, v));
}

class SymbolTable {
  constructor(private readonly own: string[]) {}
  get(index: bigint | undefined): string {
    if (index === undefined) throw new ProtoError("missing symbol index");
    const i = Number(index);
    if (i < DEFAULT_SYMBOLS.length) return DEFAULT_SYMBOLS[i];
    const local = i - SYMBOL_OFFSET;
    if (local >= 0 && local < this.own.length) return this.own[local];
    throw new ProtoError(`unknown symbol ${i}`);
  }
}

function readTerm(buf: Uint8Array, sym: SymbolTable, depth: number): TTerm {
  if (depth > MAX_DEPTH) throw new ProtoError("terms nested too deep");
  let out: TTerm = { t: "other" };
  for (const f of fields(buf)) {
    switch (f.no) {
      case 1:
        out = { t: "var", name: sym.get(f.varint) };
        break;
      case 2:
        out = { t: "int", v: toSigned(f.varint ?? 0n) };
        break;
      case 3:
        out = { t: "str", v: sym.get(f.varint) };
        break;
      case 4:
        out = { t: "date", v: Number(f.varint ?? 0n) };
        break;
      case 5:
        out = { t: "bytes", hex: Buffer.from(f.bytes ?? []).toString("hex") };
        break;
      case 6:
        out = { t: "bool", v: (f.varint ?? 0n) !== 0n };
        break;
      case 7:
        out = { t: "set", items: readRepeatedTerms(f.bytes, sym, depth) };
        break;
      case 8:
        out = { t: "null" };
        break;
      case 9:
        out = { t: "array", items: readRepeatedTerms(f.bytes, sym, depth) };
        break;
      default:
        out = { t: "other" };
    }
  }
  return out;
}

function readRepeatedTerms(buf: Uint8Array | undefined, sym: SymbolTable, depth: number): TTerm[] {
  const items: TTerm[] = [];
  for (const f of fields(buf ?? new Uint8Array())) {
    if (f.no === 1 && f.bytes) items.push(readTerm(f.bytes, sym, depth + 1));
    if (items.length > MAX_ITEMS) throw new ProtoError("too many items");
  }
  return items;
}

function readPredicate(buf: Uint8Array, sym: SymbolTable): TPredicate {
  let name: string | null = null;
  const terms: TTerm[] = [];
  for (const f of fields(buf)) {
    if (f.no === 1) name = sym.get(f.varint);
    else if (f.no === 2 && f.bytes) terms.push(readTerm(f.bytes, sym, 0));
  }
  if (name === null) throw new ProtoError("a predicate has no name");
  return { name, terms };
}

function readOp(buf: Uint8Array, sym: SymbolTable): TOp {
  for (const f of fields(buf)) {
    if (f.no === 1 && f.bytes) return { op: "value", term: readTerm(f.bytes, sym, 0) };
    if ((f.no === 2 || f.no === 3) && f.bytes) {
      let kind = -1;
      for (const g of fields(f.bytes)) if (g.no === 1) kind = Number(g.varint ?? -1n);
      return { op: f.no === 2 ? "unary" : "binary", kind };
    }
    if (f.no === 4) return { op: "closure" };
  }
  throw new ProtoError("an empty expression op");
}

function readQuery(buf: Uint8Array, sym: SymbolTable): TQuery {
  const q: TQuery = { head: null, body: [], expressions: [], scoped: false };
  for (const f of fields(buf)) {
    if (f.no === 1 && f.bytes) q.head = readPredicate(f.bytes, sym);
    else if (f.no === 2 && f.bytes) q.body.push(readPredicate(f.bytes, sym));
    else if (f.no === 3 && f.bytes) {
      const ops: TOp[] = [];
      for (const g of fields(f.bytes)) if (g.no === 1 && g.bytes) ops.push(readOp(g.bytes, sym));
      q.expressions.push(ops);
    } else if (f.no === 4) q.scoped = true;
  }
  return q;
}

function readBlock(buf: Uint8Array, shared: string[], thirdParty: boolean): TBlock {
  const own: string[] = [];
  // Symbols come first in the message, but do not rely on field order: collect them first.
  for (const f of fields(buf)) if (f.no === 1 && f.bytes) own.push(utf8(f.bytes));
  // First-party blocks extend the token's shared table; a third-party block has its own.
  const table = thirdParty ? own : [...shared, ...own];
  if (!thirdParty) shared.push(...own);
  const sym = new SymbolTable(table);
  const block: TBlock = { facts: [], rules: [], checks: [], thirdParty };
  for (const f of fields(buf)) {
    if (!f.bytes) continue;
    if (f.no === 4) {
      for (const g of fields(f.bytes)) if (g.no === 1 && g.bytes) block.facts.push(readPredicate(g.bytes, sym));
    } else if (f.no === 5) block.rules.push(readQuery(f.bytes, sym));
    else if (f.no === 6) {
      const check: TCheck = { kind: 0, queries: [] };
      for (const g of fields(f.bytes)) {
        if (g.no === 1 && g.bytes) check.queries.push(readQuery(g.bytes, sym));
        else if (g.no === 2) check.kind = Number(g.varint ?? 0n);
      }
      block.checks.push(check);
    }
  }
  return block;
}

function readSignedBlock(buf: Uint8Array): { block: Uint8Array; thirdParty: boolean } {
  let block: Uint8Array | null = null;
  let thirdParty = false;
  for (const f of fields(buf)) {
    if (f.no === 1 && f.bytes) block = f.bytes;
    else if (f.no === 4) thirdParty = true;
  }
  if (!block) throw new ProtoError("a signed block has no block");
  return { block, thirdParty };
}

/** URL-safe base64, padded or not, as Biscuit serialises tokens; null when it is not. */
export function decodeBiscuitBase64(token: string): Uint8Array | null {
  if (typeof token !== "string" || !/^[A-Za-z0-9_-]*={0,2}$/.test(token)) return null;
  const body = token.replace(/=+$/, "");
  if (body.length % 4 === 1 || body.length === 0) return null;
  return new Uint8Array(Buffer.from(body, "base64url"));
}

/** Every block's facts, rules and checks, unverified. */
export function decodeBiscuit(token: string): TDecodedBiscuit {
  const bytes = decodeBiscuitBase64(token);
  if (!bytes) return { ok: false, message: "not URL-safe base64" };
  try {
    const signed: Uint8Array[] = [];
    let hasAuthority = false;
    for (const f of fields(bytes)) {
      if (f.no === 2 && f.bytes) {
        if (hasAuthority) throw new ProtoError("two authority blocks");
        hasAuthority = true;
        signed.unshift(f.bytes);
      } else if (f.no === 3 && f.bytes) signed.push(f.bytes);
      if (signed.length > 10_000) throw new ProtoError("too many blocks");
    }
    if (!hasAuthority) throw new ProtoError("no authority block");
    const shared: string[] = [];
    const blocks = signed.map((s) => {
      const { block, thirdParty } = readSignedBlock(s);
      return readBlock(block, shared, thirdParty);
    });
    return { ok: true, blocks };
  } catch (e) {
    return { ok: false, message: e instanceof ProtoError ? e.message : "undecodable protobuf" };
  }
}
