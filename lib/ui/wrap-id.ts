// Where a long id or hash may break across lines: after each "." and "/" (and ":" of a scheme or
// principal prefix), so "liq-q3.writer.d1" wraps between its parts instead of mid-word or off-screen.
// Hex and base64 runs with no separator break anywhere (CSS break-all on the run).
export function idSegments(id: string): string[] {
  return id.split(/(?<=[./:])/).filter((s) => s.length > 0);
}
