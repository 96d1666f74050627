// RFC 8785 JSON Canonicalization Scheme (JCS): the one byte string a JSON value hashes and signs as.
// ECMAScript's own serialisation is what RFC 8785 specifies for numbers (Number.prototype.toString,
// shortest round-trip form) and strings (JSON.stringify's escaping), and object members sort by
// their UTF-16 code units, which is what Array.prototype.sort does to strings by default. So in
// JavaScript JCS is this small; canonical-json.test.ts checks it against the RFC's own examples.
// Pure, relative imports only: the offline verifier (lib/reports/evidence.ts) loads it through tsx.

export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      // JSON has no NaN or Infinity; RFC 8785 §3.2.2.3 makes them an error, not null.
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case "string":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
      const record = value as Record<string, unknown>;
      // Members whose value is undefined do not exist in JSON (JSON.stringify drops them too).
      const keys = Object.keys(record)
        .filter((k) => record[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
    }
    default:
      throw new TypeError(`canonicalJson: a ${typeof value} is not JSON`);
  }
}
