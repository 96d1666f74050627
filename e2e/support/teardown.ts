// Removes the throwaway SQLite database the run created (never a database someone passed in).
import { rmSync } from "node:fs";
import { basename } from "node:path";

export default function teardown() {
  const url = process.env.E2E_DATABASE_URL_RESOLVED;
  if (process.env.E2E_DATABASE_URL || !url?.startsWith("file:")) return;
  const path = url.slice("file:".length);
  if (!basename(path).startsWith("delegraph-e2e-")) return;
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(path + suffix, { force: true });
}
