// Which database a DATABASE_URL names. Shared by the app, the Prisma CLI configs and the scripts,
// so the rule lives in one place.
import { isAbsolute, resolve } from "node:path";

export const DEFAULT_DATABASE_URL = "file:./data/delegraph.db";

export type TDatabaseKind = "sqlite" | "postgres";

export function databaseKind(url: string): TDatabaseKind | null {
  if (url.startsWith("file:")) return "sqlite";
  if (url.startsWith("postgresql://") || url.startsWith("postgres://")) return "postgres";
  return null;
}

/** A `file:` URL with its path made absolute against the working directory (where npm runs). */
export function sqliteFileUrl(url: string | undefined): string {
  const raw = (url ?? DEFAULT_DATABASE_URL).slice("file:".length);
  const path = raw.split("?")[0];
  return "file:" + (isAbsolute(path) ? path : resolve(/*turbopackIgnore: true*/ process.cwd(), path));
}

export function sqliteFilePath(url: string | undefined): string {
  return sqliteFileUrl(url).slice("file:".length);
}
