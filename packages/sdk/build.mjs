// Builds the publishable package into dist/: one ES module (src/index.ts with the protocol code it
// uses from lib/protocol bundled in, jose left as the only dependency) and one bundled declaration
// file (the contract types it returns inlined, so a producer needs nothing of this repository).
// Runs on `npm run build -w @delegraph/sdk`, before `npm pack` (prepack) and after the root's
// `npm ci` (postinstall), so the app, which imports the package by name, always finds dist/.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { generateDtsBundle } from "dts-bundle-generator";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
const entry = join(here, "src", "index.ts");

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await build({
  entryPoints: [entry],
  outfile: join(dist, "index.js"),
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
  tsconfig: join(here, "tsconfig.json"),
});

// noCheck: the declarations are checked where they are used, by a consumer's tsc
// (tests/integration/sdk-package.test.ts), not twice here.
const [dts] = generateDtsBundle([{ filePath: entry, noCheck: true, output: { noBanner: true, exportReferencedTypes: false } }], {
  preferredConfigPath: join(here, "tsconfig.json"),
});
writeFileSync(join(dist, "index.d.ts"), dts);
// stderr: `npm pack --json` prints its answer on stdout.
console.error(`@delegraph/sdk built: ${join("dist", "index.js")}, ${join("dist", "index.d.ts")}`);
