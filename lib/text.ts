// Text that a database can store: SQLite and PostgreSQL reject lone UTF-16 surrogates, and
// PostgreSQL rejects NUL. Hostile submissions carry both.
export function storableText(s: string): string {
  const wellFormed = s.toWellFormed();
  return wellFormed.includes("\u0000") ? wellFormed.replaceAll("\u0000", "\ufffd") : wellFormed;
}

/**
 * A quarantined entry exactly as received when it can be stored as is, else its JSON text (which
 * escapes NUL and lone surrogates, so the original is still recoverable byte for byte).
 */
export function storableRaw(entry: unknown): string {
  if (typeof entry === "string" && entry.isWellFormed() && !entry.includes("\u0000")) return entry;
  return jsonText(entry);
}

/**
 * JSON.stringify without recursion: a hostile batch entry nested 500,000 levels deep (JSON.parse
 * takes it) would overflow JSON.stringify's stack, and the entry must still be quarantined whole.
 * Same output as JSON.stringify for what JSON.parse produces.
 */
export function jsonText(value: unknown): string {
  const out: string[] = [];
  type TFrame = { items: [string | null, unknown][]; i: number; close: string };
  const stack: TFrame[] = [];
  const open = (v: unknown) => {
    if (v === null || typeof v !== "object") {
      out.push(JSON.stringify(v) ?? "null");
      return;
    }
    if (Array.isArray(v)) {
      out.push("[");
      stack.push({ items: v.map((x) => [null, x]), i: 0, close: "]" });
    } else {
      out.push("{");
      stack.push({ items: Object.entries(v).filter(([, x]) => x !== undefined), i: 0, close: "}" });
    }
  };
  open(value);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.i === top.items.length) {
      out.push(top.close);
      stack.pop();
      continue;
    }
    const [key, item] = top.items[top.i];
    if (top.i > 0) out.push(",");
    if (key !== null) out.push(JSON.stringify(key), ":");
    top.i++;
    open(item);
  }
  return out.join("");
}

/** How deeply arrays and objects nest in a parsed JSON value, counted without recursion. */
export function jsonDepth(value: unknown, stopAt = Infinity): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    const d = depth + 1;
    if (d > max) max = d;
    if (max >= stopAt) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === "object") stack.push([child, d]);
  }
  return max;
}
