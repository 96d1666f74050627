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
  return JSON.stringify(entry) ?? String(entry);
}
