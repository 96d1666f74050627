// The fixed headers of every API answer: next.config.js sets them on /api/*, and scripts/server.mjs
// on the answers it gives before Next sees a request (the ingest's early 503). Plain JavaScript, so
// both load it without a TypeScript loader.

/** @type {{ key: string, value: string }[]} */
export const API_HEADERS = [
  { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
];
