// The chain detail as JSON text, byte for byte what JSON.stringify(detail) gives, with the parts
// that depend only on one stored event written once and kept for the next rebuild. A stored event
// never changes (only its status, which the detail takes from the check), so its seq, token hash,
// claims and hashes, a hop's scope and purpose, an invocation's action, are the same text at every
// rebuild; the check's verdicts, findings and the registry's key state are written anew each time.
// On a thousand-hop chain the kept parts are ~90% of the 3.4 MB answer. An event or hop object the
// assembly hands out again (detail.ts TChainDetailMemo) is kept whole as UTF-8 bytes, which the
// body copies: after a change most of the body is those, encoded once. The rest goes straight into
// UTF-8 chunks (writeChainDetail), never into one string: a 5,000-hop detail (7.7 MB) built by
// concatenation was a tree of ~10^5 strings, flattened into a 7.7 MB string and then copied into the
// response's bytes, all on the server's heap at once. Pure: detail-json.test.ts holds it to
// JSON.stringify.
import type { TChainDetail, TChainEvent, TCompletion, THop, TInvocation } from "@/lib/contracts/chains";

/**
 * How each member of an object is written: "kept" members are written once per object and kept
 * (they must depend only on the stored event the object comes from), "fresh" ones at every write,
 * through JSON.stringify or the writer given. The order is the order the detail's assembly gives
 * its members (JSON.stringify writes them in that order); an object whose members are not those,
 * in that order, is written whole by JSON.stringify instead, so a member added to the model but not
 * here costs speed, never correctness.
 */
type TPlanSpec<T> = { [K in keyof Required<T>]: "kept" | "fresh" | ((value: NonNullable<T[K]>, memo: TDetailJsonMemo, out: TOut) => void) };

type TSegment = { kept: string[] } | { key: string; quoted: string; write: ((value: never, memo: TDetailJsonMemo, out: TOut) => void) | null };

/** Where the text goes: one call per piece, in order; `writeBytes` for text kept as UTF-8. */
type TOut = { write: (text: string) => void; writeBytes: (bytes: Buffer) => void };

/** Bytes of a chunk: large enough that a chunk's copy into the body is cheap, small enough to waste little. */
const CHUNK_BYTES = 256 * 1024;

/**
 * Writes text as UTF-8 into chunks of CHUNK_BYTES, and kept bytes as they are, and joins the pieces
 * once at the end: a kept object's text is copied once, never encoded again.
 */
function chunkWriter(): TOut & { finish: () => Buffer } {
  const pieces: Buffer[] = [];
  let chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  let start = 0;
  let at = 0;
  let total = 0;
  const flush = () => {
    if (at > start) pieces.push(chunk.subarray(start, at));
    total += at - start;
    start = at;
  };
  return {
    write(text) {
      // A UTF-16 unit is at most 3 bytes of UTF-8, so this bound never splits a write.
      if (at + text.length * 3 > chunk.length) {
        flush();
        chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, text.length * 3));
        start = at = 0;
      }
      at += chunk.write(text, at, "utf8");
    },
    writeBytes(bytes) {
      flush();
      pieces.push(bytes);
      total += bytes.length;
    },
    finish() {
      flush();
      return Buffer.concat(pieces, total);
    },
  };
}

/** Collects the pieces into one string (objects written apart, then concatenated by the caller). */
function stringWriter(): TOut & { text: string } {
  const w = {
    text: "",
    write(piece: string) {
      w.text += piece;
    },
    writeBytes(bytes: Buffer) {
      w.text += bytes.toString("utf8");
    },
  };
  return w;
}
type TPlan = { keys: Set<string>; order: string[]; segments: TSegment[] };

function plan<T>(spec: TPlanSpec<T>): TPlan {
  const segments: TSegment[] = [];
  for (const [key, role] of Object.entries(spec) as [string, TPlanSpec<T>[keyof T]][]) {
    if (role === "kept") {
      const last = segments.at(-1);
      if (last && "kept" in last) last.kept.push(key);
      else segments.push({ kept: [key] });
    } else segments.push({ key, quoted: JSON.stringify(key), write: role === "fresh" ? null : role });
  }
  return { keys: new Set(Object.keys(spec)), order: Object.keys(spec), segments };
}

/** What one chain's rebuilds keep for one body (lean or with raw tokens), per event jti. */
export type TDetailJsonMemo = {
  events: Map<string, string[] | null>;
  /**
   * The whole text, as UTF-8 with a leading comma, of the event and hop objects written last time:
   * the detail's assembly hands out the same object for an event or a hop that reads the same
   * (detail.ts TChainDetailMemo), and the body copies these bytes instead of encoding the text
   * again. An object written whole drops its kept parts (they are written again from the object if
   * it ever changes), so the memo holds each one's text about once.
   */
  wholeText: WeakMap<object, Buffer>;
  /** bytes of the events' and hops' whole texts at the last write (what wholeText holds, roughly) */
  wholeBytes: number;
  hops: Map<string, string[] | null>;
  invocations: Map<string, string[] | null>;
  completions: Map<string, string[] | null>;
};

export function createDetailJsonMemo(): TDetailJsonMemo {
  return { events: new Map(), wholeText: new WeakMap(), wholeBytes: 0, hops: new Map(), invocations: new Map(), completions: new Map() };
}

/** The memo's kept text in characters or bytes (what keeping it costs, roughly, in bytes). */
export function memoSize(memo: TDetailJsonMemo): number {
  let n = memo.wholeBytes;
  for (const m of [memo.events, memo.hops, memo.invocations, memo.completions])
    for (const parts of m.values()) if (parts) for (const p of parts) n += p.length;
  return n;
}

/** The object's own members are the plan's, in its order (absent ones allowed). */
function fits(o: object, p: TPlan): boolean {
  const own = Object.keys(o);
  let at = 0;
  for (const key of own) {
    if (!p.keys.has(key)) return false;
    while (at < p.order.length && p.order[at] !== key) at++;
    if (at === p.order.length) return false;
    at++;
  }
  return true;
}

/** The kept runs of `o` as JSON members without braces ("" when every member of a run is absent). */
function keptParts(o: Record<string, unknown>, p: TPlan): string[] {
  const parts: string[] = [];
  for (const s of p.segments) {
    if (!("kept" in s)) continue;
    const run: Record<string, unknown> = {};
    for (const key of s.kept) if (Object.hasOwn(o, key)) run[key] = o[key];
    parts.push(JSON.stringify(run).slice(1, -1));
  }
  return parts;
}

/** JSON.stringify, without its call for the values most members hold (an empty list, null, a plain number). */
function stringify(value: unknown): string | undefined {
  if (value === null) return "null";
  if (typeof value === "number" && Number.isFinite(value) && !Object.is(value, -0)) return String(value);
  if (Array.isArray(value) && value.length === 0) return "[]";
  return JSON.stringify(value);
}

function writeObject(o: object, p: TPlan, memo: TDetailJsonMemo, kept: Map<string, string[] | null> | null, id: string, out: TOut): void {
  let parts: string[] | null | undefined = kept?.get(id);
  if (parts === undefined) {
    parts = fits(o, p) ? keptParts(o as Record<string, unknown>, p) : null;
    kept?.set(id, parts);
  }
  if (parts === null) {
    out.write(JSON.stringify(o));
    return;
  }
  const record = o as Record<string, unknown>;
  // One object's members are short: they are gathered into one string, except a member that
  // writes itself (a list of hops or events), which goes to `out` directly.
  let text = "{";
  let empty = true;
  let run = 0;
  for (const s of p.segments) {
    let piece: string | undefined;
    if ("kept" in s) piece = parts[run++];
    else {
      const value = record[s.key];
      if (value !== undefined && value !== null && s.write) {
        out.write(text + (empty ? "" : ",") + s.quoted + ":");
        text = "";
        s.write(value as never, memo, out);
        empty = false;
        continue;
      }
      const written = stringify(value);
      piece = written === undefined ? undefined : `${s.quoted}:${written}`;
    }
    if (!piece) continue;
    text += empty ? piece : "," + piece;
    empty = false;
  }
  out.write(text + "}");
}

function writeArray<T extends { jti: string }>(list: T[], p: TPlan, memo: TDetailJsonMemo, kept: Map<string, string[] | null>, out: TOut): void {
  out.write("[");
  for (let i = 0; i < list.length; i++) {
    if (i) out.write(",");
    writeObject(list[i], p, memo, kept, list[i].jti, out);
  }
  out.write("]");
}

/**
 * writeArray for the events and the hops, copying the kept bytes of an object written before. Each
 * object's bytes start with a comma, which the first one in the list leaves out (a subarray, not a
 * copy): one piece per object in the body.
 */
function writeWhole<T extends { jti: string }>(list: T[], p: TPlan, memo: TDetailJsonMemo, kept: Map<string, string[] | null>, out: TOut): number {
  let bytes = 2;
  out.write("[");
  for (let i = 0; i < list.length; i++) {
    const o = list[i];
    let text = memo.wholeText.get(o);
    if (text === undefined) {
      const one = stringWriter();
      one.write(",");
      writeObject(o, p, memo, kept, o.jti, one);
      text = Buffer.from(one.text, "utf8");
      memo.wholeText.set(o, text);
      kept.delete(o.jti);
    }
    out.writeBytes(i ? text : text.subarray(1));
    bytes += text.length - (i ? 0 : 1);
  }
  out.write("]");
  return bytes;
}

const INVOCATION = plan<TInvocation>({
  jti: "kept",
  iss: "kept",
  iat: "kept",
  action: "kept",
  resource: "kept",
  purpose: "kept",
  data: "kept",
  findings: "fresh",
});

const COMPLETION = plan<TCompletion>({
  jti: "kept",
  iss: "kept",
  iat: "kept",
  status: "kept",
  resultHash: "kept",
  attestation: "fresh",
  evidence: "kept",
});

const HOP = plan<THop>({
  jti: "kept",
  kind: "kept",
  parent: "kept",
  from: "kept",
  to: "kept",
  iat: "kept",
  exp: "kept",
  scope: "kept",
  // from the parent's scope, which may arrive later
  scopeRemoved: "fresh",
  scopeAdded: "fresh",
  purpose: "kept",
  constraints: "kept",
  effectiveConstraints: "fresh",
  maxDepth: "kept",
  depth: "fresh",
  status: "fresh",
  revokedAt: "fresh",
  signature: "fresh",
  aip: "kept",
  findings: "fresh",
  invocations: (list, memo, out) => writeArray(list, INVOCATION, memo, memo.invocations, out),
  completions: (list, memo, out) => writeArray(list, COMPLETION, memo, memo.completions, out),
});

const EVENT = plan<TChainEvent>({
  seq: "kept",
  jti: "kept",
  kind: "kept",
  iss: "kept",
  aud: "kept",
  ref: "kept",
  iat: "kept",
  exp: "kept",
  status: "fresh",
  receivedAt: "kept",
  alg: "kept",
  kid: "kept",
  keyRevokedAt: "kept",
  drift: "kept",
  keyRevokedNow: "fresh",
  keyThumbprint: "fresh",
  token: "kept",
  tokenSha256: "kept",
  claims: "kept",
  prevHash: "kept",
  hash: "kept",
  findings: "fresh",
});

const DETAIL = plan<TChainDetail>({
  id: "fresh",
  status: "fresh",
  source: "fresh",
  root: "fresh",
  startedAt: "fresh",
  hopCount: "fresh",
  eventCount: "fresh",
  counts: "fresh",
  nodes: "fresh",
  hops: (list, memo, out) => {
    memo.wholeBytes += writeWhole(list, HOP, memo, memo.hops, out);
  },
  looseEvents: "fresh",
  events: (list, memo, out) => {
    memo.wholeBytes += writeWhole(list, EVENT, memo, memo.events, out);
  },
  findings: "fresh",
  ledgerHead: "fresh",
  generatedAt: "fresh",
  observed: "fresh",
  observedSigned: "fresh",
});

/**
 * JSON.stringify(detail) as UTF-8 bytes, reusing what `memo` kept from earlier details of the same
 * chain and body, and keeping what this one adds. A memo belongs to one chain and one body (a kept
 * event carries its token or not): the caller keeps one per chain and body, and a fresh one after
 * anything it kept may have changed.
 */
export function writeChainDetail(detail: TChainDetail, memo: TDetailJsonMemo): Buffer {
  memo.wholeBytes = 0;
  const out = chunkWriter();
  writeObject(detail, DETAIL, memo, null, detail.id, out);
  return out.finish();
}

/** writeChainDetail as a string (tests compare it with JSON.stringify). */
export function stringifyChainDetail(detail: TChainDetail, memo: TDetailJsonMemo): string {
  memo.wholeBytes = 0;
  const out = stringWriter();
  writeObject(detail, DETAIL, memo, null, detail.id, out);
  return out.text;
}
