// PostgreSQL client through @prisma/adapter-pg (no native engine).
import { PrismaClient as PgPrismaClient } from "@/generated/postgres/client";
import { PrismaPg } from "@prisma/adapter-pg";
import type { TDb } from "@/lib/db";

export async function createPostgresClient(url: string): Promise<TDb> {
  const client = new PgPrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
  return client as unknown as TDb;
}
