// @ts-check
import { API_HEADERS } from "./lib/api-headers.mjs";

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Compression belongs to the reverse proxy that terminates TLS (docs/operations.md): Next's own
  // is gzip at level 6, not configurable, and took ~30 ms of a 4.5 MB chain read that the chain
  // detail cache otherwise answers in a few (docs/benchmarks.md).
  compress: false,
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "pg", "@prisma/adapter-pg", "@react-pdf/renderer"],
  // proxy.ts secures pages (with a per-request CSP nonce); API answers get these fixed headers.
  async headers() {
    return [
      {
        source: "/api/:path*",
        headers: API_HEADERS,
      },
    ];
  },
  // The minifier inlines a function called from one place into its caller as a function expression,
  // a closure made on every call: V8 drops such a closure's optimised code at each major GC and
  // compiles it again, which kept TurboFan busy through the ingest's hot path (knownKey,
  // checkUntilSignature, the signature's call...). Unminified server bundles: server CPU per
  // ingested event -6% to -8% over HTTP, for ~17-20 MiB more RSS (docs/benchmarks.md, "The ingest's
  // V8 churn"). Client bundles stay minified.
  experimental: { serverMinification: false },
  typescript: { ignoreBuildErrors: true }, // `npm test` typechecks with tsc; the build need not do it twice
};
export default nextConfig;
