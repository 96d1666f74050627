// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Compression belongs to the reverse proxy that terminates TLS (docs/operations.md): Next's own
  // is gzip at level 6, not configurable, and took ~30 ms of a 4.5 MB chain read that the chain
  // detail cache otherwise answers in a few (docs/benchmarks.md).
  compress: false,
  serverExternalPackages: ["better-sqlite3", "@prisma/adapter-better-sqlite3", "pg", "@prisma/adapter-pg", "@react-pdf/renderer"],
  typescript: { ignoreBuildErrors: true }, // `npm test` typechecks with tsc; the build need not do it twice
};
export default nextConfig;
