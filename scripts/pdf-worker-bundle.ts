// The PDF render thread's code as one JavaScript module, built beside the Next build
// (.next/delegraph-pdf-worker.mjs): lib/reports/pdf/pool.ts starts the thread from it in production,
// instead of loading the TypeScript sources through tsx in the thread. tsx there cost ~30 MiB of
// the server's memory (its loader hooks run on a thread of their own) and an esbuild process
// (~12 MB) for as long as the render thread lived, and seconds of its first report
// (docs/benchmarks.md, "The PDF thread without tsx"). Our sources are bundled; packages stay imports,
// resolved from node_modules as the server resolves them. Run by `npm run build`, scripts/build.ts
// and scripts/test.ts after `next build` (which empties .next: a missing bundle means the sources
// through tsx, as before).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const PDF_WORKER_BUNDLE = ".next/delegraph-pdf-worker.mjs";

/**
 * Bundles the sources under `dir` into `outfile` (default `dir`/.next/delegraph-pdf-worker.mjs).
 * Without esbuild (a devDependency: an install without them) nothing is built and the thread loads
 * the sources through tsx: false, with one warning.
 */
export function bundlePdfWorker(dir: string = root, outfile: string = join(dir, PDF_WORKER_BUNDLE)): boolean {
  let esbuild: typeof import("esbuild");
  try {
    esbuild = createRequire(import.meta.url)("esbuild") as typeof import("esbuild");
  } catch {
    console.warn("[delegraph] esbuild is not installed: the PDF render thread will load its sources through tsx");
    return false;
  }
  esbuild.buildSync({
    entryPoints: [join(dir, "lib/reports/pdf/worker.ts")],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    jsx: "automatic",
    tsconfig: join(dir, "tsconfig.json"),
    logLevel: "warning",
  });
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) bundlePdfWorker();
