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
  // Server bundles stay minified. The minifier inlines a function called from one place into its
  // caller as a closure made on every call, whose optimised code V8 drops at each major GC; turning
  // server minification off cut the server's CPU per ingested event 6-9% but cost 17-20 MiB of RSS,
  // and the 400 MB memory target is the nearer one (docs/benchmarks.md, "The ingest's V8 churn").
  typescript: { ignoreBuildErrors: true }, // `npm test` typechecks with tsc; the build need not do it twice
};
export default nextConfig;
