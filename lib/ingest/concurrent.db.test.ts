// Concurrent batches on SQLite: see concurrent-cases.ts.
import { useFreshDatabase } from "@/lib/reports/test-fixtures";
import { defineConcurrentTests } from "./concurrent-cases";

await useFreshDatabase();
defineConcurrentTests("SQLite");
