// What an AIP block says, read two ways:
//
// - readBlock (Delegraph's rule): EVERY fact and check of the block, from the exact protobuf
//   content (biscuit-proto.ts), so a string holding quotes or a second `delegate(…)` cannot pass
//   for something else, and a second fact injected through unescaped Datalog is seen as a second fact.
// - referenceView (the reference's rule, for the `aip` parity verdict): sunilp/aip 0.3.0 reads
//   the engine's PRINTED source with line regexes and keeps the FIRST match only. Reproduced here
//   with Python's `re` semantics (MULTILINE `^`/`$` at "\n" only, DOTALL where it uses it).
//
// Both are total: anything unexpected is recorded, never thrown.
import { OP, type TBlock, type TCheck, type TOp, type TPredicate, type TQuery, type TTerm } from "./biscuit-proto";

export type TFactValue = string | number | boolean | null;

export type TBlockReading = {
  /** every fact: name → its first argument of each occurrence, in block order */
  facts: Record<string, TFactValue[]>;
  /** facts with a shape the AIP vocabulary does not use (several terms, a non-scalar term…) */
  oddFacts: string[];
  /** one entry per `check if tool($t), …` (its scope patterns; "*" for a bare `tool($t)`) */
  toolChecks: string[][];
  /** one entry per `check if time($t), $t <= <date>` (seconds) */
  timeChecks: number[];
  /** every other check and rule, rendered, so the inspector can show what it did not interpret */
  otherChecks: string[];
  rules: number;
};

export function termText(t: TTerm): string {
  switch (t.t) {
    case "var":
      return `$${t.name}`;
    case "int":
      return String(t.v);
    case "str":
      return JSON.stringify(t.v);
    case "date":
      return new Date(t.v * 1000).toISOString().replace(".000Z", "Z");
    case "bytes":
      return `hex:${t.hex}`;
    case "bool":
      return String(t.v);
    case "set":
      return `{${t.items.map(termText).join(", ")}}`;
    case "array":
      return `[${t.items.map(termText).join(", ")}]`;
    case "null":
      return "null";
    default:
      return "?";
  }
}

function predicateText(p: TPredicate): string {
  return `${p.name}(${p.terms.map(termText).join(", ")})`;
}

const BINARY_TEXT: Record<number, string> = { 0: "<", 1: ">", 2: "<=", 3: ">=", 4: "===", 5: ".contains", 6: ".starts_with" };

function expressionText(ops: TOp[]): string {
  const stack: string[] = [];
  for (const op of ops) {
    if (op.op === "value") stack.push(termText(op.term));
    else if (op.op === "unary") stack.push(`op${op.kind}(${stack.pop() ?? "?"})`);
    else if (op.op === "binary") {
      const r = stack.pop() ?? "?";
      const l = stack.pop() ?? "?";
      const name = BINARY_TEXT[op.kind];
      stack.push(name?.startsWith(".") ? `${l}${name}(${r})` : `${l} ${name ?? `op${op.kind}`} ${r}`);
    } else stack.push("<closure>");
  }
  return stack.join(" ");
}

function queryText(q: TQuery): string {
  return [...q.body.map(predicateText), ...q.expressions.map(expressionText)].join(", ");
}

const CHECK_KIND = ["check if", "check all", "reject if"];
function checkText(c: TCheck): string {
  return `${CHECK_KIND[c.kind] ?? `check(${c.kind})`} ${c.queries.map(queryText).join(" or ")}`;
}

function scalar(t: TTerm): TFactValue | undefined {
  if (t.t === "str" || t.t === "int" || t.t === "bool") return t.v;
  if (t.t === "null") return null;
  return undefined;
}

/** `tool($v)` alone in the body; returns the variable name. */
function singleBody(q: TQuery, predicate: string): string | null {
  if (q.body.length !== 1 || q.scoped) return null;
  const p = q.body[0];
  if (p.name !== predicate || p.terms.length !== 1 || p.terms[0].t !== "var") return null;
  return p.terms[0].name;
}

function isVar(op: TOp | undefined, name: string): boolean {
  return op?.op === "value" && op.term.t === "var" && op.term.name === name;
}

/** One query of a tool check → its patterns, or null when it is not one of the reference's shapes. */
function toolQueryScopes(q: TQuery): string[] | null {
  const v = singleBody(q, "tool");
  if (v === null) return null;
  if (q.expressions.length === 0) return ["*"];
  if (q.expressions.length !== 1) return null;
  const [a, b, op] = q.expressions[0];
  if (q.expressions[0].length !== 3 || op?.op !== "binary") return null;
  if (op.kind === OP.contains && isVar(b, v) && a?.op === "value" && (a.term.t === "array" || a.term.t === "set")) {
    const items = a.term.items;
    if (!items.every((i) => i.t === "str")) return null;
    return items.map((i) => (i as { v: string }).v);
  }
  if (op.kind === OP.prefix && isVar(a, v) && b?.op === "value" && b.term.t === "str") return [`${b.term.v}*`];
  return null;
}

function timeQueryExpiry(q: TQuery): number | null {
  const v = singleBody(q, "time");
  if (v === null || q.expressions.length !== 1 || q.expressions[0].length !== 3) return null;
  const [a, b, op] = q.expressions[0];
  if (op?.op !== "binary" || !isVar(a, v) || b?.op !== "value" || b.term.t !== "date") return null;
  if (op.kind === OP.lessOrEqual) return b.term.v;
  if (op.kind === OP.lessThan) return b.term.v - 1;
  return null;
}

/** Every fact and check of one block (Delegraph's rule). */
export function readBlock(block: TBlock): TBlockReading {
  const r: TBlockReading = { facts: {}, oddFacts: [], toolChecks: [], timeChecks: [], otherChecks: [], rules: block.rules.length };
  for (const f of block.facts) {
    const value = f.terms.length === 1 ? scalar(f.terms[0]) : undefined;
    if (value === undefined) {
      r.oddFacts.push(predicateText(f));
      continue;
    }
    (r.facts[f.name] ??= []).push(value);
  }
  for (const c of block.checks) {
    if (c.kind === 0 && c.queries.length > 0) {
      const scopes = c.queries.map(toolQueryScopes);
      if (scopes.every((s) => s !== null)) {
        r.toolChecks.push([...new Set(scopes.flat())]);
        continue;
      }
      if (c.queries.length === 1) {
        const exp = timeQueryExpiry(c.queries[0]);
        if (exp !== null) {
          r.timeChecks.push(exp);
          continue;
        }
      }
    }
    r.otherChecks.push(checkText(c));
  }
  for (const rule of block.rules) r.otherChecks.push(`${rule.head ? predicateText(rule.head) : "?"} <- ${queryText(rule)}`);
  return r;
}

/** The string values of one fact name (non-strings are rendered, so they still count as facts). */
export function factStrings(r: TBlockReading, name: string): string[] {
  return (r.facts[name] ?? []).map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
}

export function factInts(r: TBlockReading, name: string): number[] {
  return (r.facts[name] ?? []).filter((v): v is number => typeof v === "number");
}

// ---------------------------------------------------------------------------------------------
// The reference's reading of the printed source (sunilp/aip 0.3.0 python/aip_token/chained.py).

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
// Python's MULTILINE `^` matches at the start and after "\n" only (JS's `m` flag also breaks on
// "\r", U+2028 and U+2029, so it is not used).
const LINE_START = "(?:^|(?<=\\n))";
const LINE_END = "(?=\\n|$)";

/** `re.search(rf'^{name}\("([^"]*)"\);', source, re.M)`: the first such line's value. */
export function refStrFact(source: string, name: string): string | null {
  const m = new RegExp(`${LINE_START}${escapeRe(name)}\\("([^"]*)"\\);`).exec(source);
  return m ? m[1] : null;
}

/** `re.search(rf"^{name}\((-?\d+)\);", source, re.M)`: the first such line's integer. */
export function refIntFact(source: string, name: string): number | null {
  const m = new RegExp(`${LINE_START}${escapeRe(name)}\\((-?[0-9]+)\\);`).exec(source);
  return m ? Number(m[1]) : null;
}

/**
 * `_parse_scopes`: the FIRST `check if …;` statement (non-greedy up to a `;` that ends a line) is
 * the block's scope declaration when it mentions `tool($t)`; else the block declares none (null).
 */
export function refScopes(source: string): Set<string> | null {
  const m = new RegExp(`${LINE_START}check if ([\\s\\S]*?);\\s*${LINE_END}`).exec(source);
  if (!m || !m[1].includes("tool($t)")) return null;
  const scopes = new Set<string>();
  for (const raw of m[1].split(" or ")) {
    const clause = raw.trim();
    if (clause === "tool($t)") {
      scopes.add("*");
      continue;
    }
    const contains = /\[([\s\S]*?)\]\.contains\(\$t\)/.exec(clause);
    if (contains) for (const q of contains[1].matchAll(/"([^"]*)"/g)) scopes.add(q[1]);
    for (const p of clause.matchAll(/\$t\.starts_with\("([^"]*)"\)/g)) scopes.add(`${p[1]}*`);
  }
  return scopes.size > 0 ? scopes : null;
}

/** aip_a2a `_final_delegate`: the first line of the last block that starts with `delegate("`. */
export function refFinalDelegate(source: string): string | null {
  for (const line of source.split("\n")) {
    const l = line.trim().replace(/;+$/, "");
    if (l.startsWith('delegate("')) return l.slice(l.indexOf('"') + 1, l.lastIndexOf('"'));
  }
  return null;
}
