// The least-privilege read models on SQLite: see queries-cases.ts.
import { useFreshDatabase } from "@/lib/reports/test-fixtures";
import { defineLeastPrivilegeTests } from "./queries-cases";

await useFreshDatabase();
defineLeastPrivilegeTests("sqlite");
