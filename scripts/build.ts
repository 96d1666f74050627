// Builds the Next app when the build is missing or older than the sources it depends on.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { bundlePdfWorker } from "./pdf-worker-bundle";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCES = ["app", "components", "lib", "public", "proxy.ts", "next.config.js", "postcss.config.mjs", "package-lock.json", "tsconfig.json"];

/** A cheap fingerprint of everything the Next build depends on: paths, sizes and mtimes. */
export function sourceFingerprint(): string {
  const hash = createHash("sha256");
  const walk = (path: string) => {
    if (!existsSync(path)) return;
    const st = statSync(path);
    if (st.isDirectory()) {
      for (const name of readdirSync(path).sort()) if (!name.endsWith(".test.ts")) walk(join(path, name));
    } else {
      hash.update(`${path}\0${st.size}\0${st.mtimeMs}\n`);
    }
  };
  for (const s of SOURCES) walk(join(root, s));
  return hash.digest("hex");
}

/** Whether .next holds a build of the sources as they are now; `fingerprint` is theirs. */
export function buildState(): { current: boolean; fingerprint: string } {
  const marker = join(root, ".next/delegraph-fingerprint");
  const fingerprint = sourceFingerprint();
  const current = existsSync(join(root, ".next/BUILD_ID")) && existsSync(marker) && readFileSync(marker, "utf8") === fingerprint;
  return { current, fingerprint };
}

/** Records that the build in .next was made from sources with this fingerprint (taken before building). */
export function markBuilt(fingerprint: string): void {
  writeFileSync(join(root, ".next/delegraph-fingerprint"), fingerprint);
}

export function ensureBuild(): void {
  const { current, fingerprint } = buildState();
  if (current) return;
  console.log("[delegraph] building the dashboard (first start or sources changed)…");
  const result = spawnSync(join(root, "node_modules/.bin/next"), ["build"], { cwd: root, stdio: "inherit", env: process.env });
  if (result.status !== 0) throw new Error("next build failed");
  bundlePdfWorker(root);
  markBuilt(fingerprint);
}
