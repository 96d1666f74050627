// The least-privilege read models on SQLite: see queries-cases.ts and equivalence-cases.ts.
import { useFreshDatabase } from "@/lib/reports/test-fixtures";
import { defineLeastPrivilegeTests } from "./queries-cases";
import { defineLeastPrivilegeEquivalenceTests } from "./equivalence-cases";

await useFreshDatabase();
defineLeastPrivilegeTests("sqlite");
defineLeastPrivilegeEquivalenceTests("sqlite");
