// The chain list's capped total on SQLite: see list-total-cases.ts.
import { useFreshDatabase } from "@/lib/reports/test-fixtures";
import { defineListTotalTests } from "./list-total-cases";

await useFreshDatabase();
defineListTotalTests("sqlite");
